/** The generated, typed client for every route in the backend's OpenAPI document. */
import createClient from "openapi-fetch";
import { authFetch } from "./http";
import { apiErrorFromResponse } from "./problem";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Org = Schemas["OrgRead"];
export type OrgTree = Schemas["OrgTree"];
export type User = Schemas["UserRead"];
export type Grant = Schemas["GrantRead"];
export type Me = Schemas["Me"];
export type MeGrant = Schemas["MeGrant"];
export type AuditEntry = Schemas["AuditEntryRead"];
export type OrgKind = Org["kind"];
export type Role = Grant["role"];
export type Perm = MeGrant["permissions"][number];
export type Tier = Org["tier"];

export type Path = keyof paths;
type Method = "get" | "post" | "patch" | "put" | "delete";

/**
 * The JSON body a route takes, named by its path (never by the body component's name, which
 * the backend may merge or rename): `JsonBody<"/api/v1/tasks/{task_id}/accept", "post">`.
 */
export type JsonBody<P extends Path, M extends Method> = paths[P][M] extends {
  requestBody?: { content: { "application/json": infer B } };
}
  ? NonNullable<B>
  : never;

/** The query parameters of a GET route, e.g. `QueryOf<"/api/v1/tasks">` (the task list's filters). */
export type QueryOf<P extends Path> = paths[P]["get"] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** Every call of the app: the session's bearer token, one silent refresh on 401 (see ./http). */
export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "http://localhost",
  fetch: (req: Request) => authFetch(req),
  credentials: "same-origin",
});

type Result<T> = Promise<{ data?: T; error?: unknown; response: Response }>;

/** Unwrap an openapi-fetch result: data on success, an ApiError thrown otherwise. */
export async function unwrap<T>(p: Result<T>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok || error !== undefined) throw await apiErrorFromResponse(response, error);
  return data as T;
}

/** A representation with the version it was read at (its ETag), for If-Match on the next write. */
export interface Versioned<T> {
  data: T;
  etag: string | null;
}

/** unwrap(), keeping the response's ETag. */
export async function unwrapVersioned<T>(p: Result<T>): Promise<Versioned<T>> {
  const { data, error, response } = await p;
  if (!response.ok || error !== undefined) throw await apiErrorFromResponse(response, error);
  return { data: data as T, etag: response.headers.get("ETag") };
}
