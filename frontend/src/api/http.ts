/**
 * The one fetch path of the app (the generated client's fetch): adds the bearer token, renews
 * it once on a 401, turns a request that never got an answer into NetworkError, and reports
 * connectivity. Error answers become ApiError in ./client `unwrap`.
 */
import { expire, getAccessToken, refresh } from "../auth/session";
import { ApiError, NetworkError } from "./problem";

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

/** fetch() with the session: the generated client (./client `api`) sends every call through it. */
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

export function isApiError(err: unknown, status?: number): err is ApiError {
  return err instanceof ApiError && (status === undefined || err.status === status);
}
