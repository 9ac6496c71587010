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

export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "http://localhost",
  fetch: (req: Request) => authFetch(req),
  credentials: "same-origin",
});

/** Unwrap an openapi-fetch result: data on success, an ApiError thrown otherwise. */
export async function unwrap<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok || error !== undefined) throw await apiErrorFromResponse(response, error);
  return data as T;
}
