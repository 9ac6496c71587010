/**
 * The one fetch path of the app: adds the bearer token, renews it once on a 401,
 * turns failures into ApiError / NetworkError, and reports connectivity.
 */
import { expire, getAccessToken, refresh } from "../auth/session";
import { ApiError, NetworkError, apiErrorFromResponse } from "./problem";

export const API_BASE = "/api/v1";

type ConnListener = (online: boolean) => void;
const connListeners = new Set<ConnListener>();
let reachable = true;

export function onConnectivity(listener: ConnListener): () => void {
  connListeners.add(listener);
  return () => connListeners.delete(listener);
}

function setReachable(value: boolean): void {
  if (reachable === value) return;
  reachable = value;
  for (const l of connListeners) l(value);
}

export function isReachable(): boolean {
  return reachable;
}

function origin(): string {
  return typeof window !== "undefined" ? window.location.origin : "http://localhost";
}

function withAuth(request: Request): Request {
  const token = getAccessToken();
  const req = new Request(request);
  if (token) req.headers.set("Authorization", `Bearer ${token}`);
  if (!req.headers.has("Accept")) req.headers.set("Accept", "application/json, application/problem+json");
  return req;
}

async function send(request: Request): Promise<Response> {
  try {
    const res = await fetch(request);
    setReachable(true);
    return res;
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    setReachable(false);
    throw new NetworkError(err);
  }
}

/** fetch() with the session: used by openapi-fetch and by the hand-typed work-item calls. */
export async function authFetch(input: Request): Promise<Response> {
  const spare = input.clone();
  const res = await send(withAuth(input));
  if (res.status !== 401 || input.url.includes("/auth/")) return res;
  if (!getAccessToken()) return res;
  const renewed = await refresh();
  if (!renewed) {
    expire();
    return res;
  }
  return send(withAuth(spare));
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | null | undefined | (string | number)[]>;
  body?: unknown;
  headers?: Record<string, string>;
  idempotencyKey?: string;
  ifMatch?: string | null;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
  status: number;
}

export function buildUrl(path: string, query?: RequestOptions["query"]): string {
  const url = new URL(path.startsWith("/api") ? path : `${API_BASE}${path}`, origin());
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((item) => url.searchParams.append(k, String(item)));
    else url.searchParams.set(k, String(v));
  }
  return url.toString();
}

/** A typed call for routes not (yet) in the generated schema. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(opts.headers);
  if (opts.body !== undefined) headers.set("Content-Type", "application/json");
  if (opts.idempotencyKey) headers.set("Idempotency-Key", opts.idempotencyKey);
  if (opts.ifMatch) headers.set("If-Match", opts.ifMatch);
  const req = new Request(buildUrl(path, opts.query), {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: "same-origin",
    signal: opts.signal,
  });
  const res = await authFetch(req);
  if (!res.ok) throw await apiErrorFromResponse(res);
  const text = res.status === 204 ? "" : await res.text();
  return { data: (text ? JSON.parse(text) : null) as T, etag: res.headers.get("ETag"), status: res.status };
}

export function isApiError(err: unknown, status?: number): err is ApiError {
  return err instanceof ApiError && (status === undefined || err.status === status);
}
