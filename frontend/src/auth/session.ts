/**
 * The sign-in session, kept in memory only.
 *
 * - The access token lives in this module's memory (never in storage).
 * - The refresh token lives in an HttpOnly cookie (`liandong_refresh`, sent to the auth routes only)
 *   that the backend sets when the login request carries `X-Refresh-Mode: cookie`;
 *   the SPA never sees it. Refresh sends an empty JSON body `{}`, logout no body.
 * - If the backend answers in JSON-body mode anyway (no cookie support yet), the
 *   refresh token is kept in memory only, so a page reload asks to sign in again.
 * - A silent refresh runs shortly before the access token expires and at startup.
 * - Tabs coordinate: refreshes are serialised with the Web Locks API (a rotated
 *   refresh token that is reused revokes its family), and a fresh access token or
 *   a sign-out is broadcast to the other tabs.
 */

import { postLogout, postRefresh, postToken, type TokenPair } from "../api/auth";

const CHANNEL = "liandong-auth";
const LOCK = "liandong-refresh";
/** Refresh this long before expiry (capped at a quarter of the lifetime). */
export const REFRESH_MARGIN_MS = 60_000;


export interface SessionState {
  accessToken: string | null;
  expiresAt: number;
  /** True once a session existed and could not be renewed (ask to sign in again, keep the page). */
  expired: boolean;
}

type Listener = (s: SessionState) => void;

let state: SessionState = { accessToken: null, expiresAt: 0, expired: false };
let memoryRefreshToken: string | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let inflight: Promise<boolean> | null = null;
const listeners = new Set<Listener>();
let channel: BroadcastChannel | null = null;

function now(): number {
  return Date.now();
}

function emit(): void {
  for (const l of listeners) l(state);
}

function setState(next: Partial<SessionState>): void {
  state = { ...state, ...next };
  emit();
}

export function getSession(): SessionState {
  return state;
}

export function getAccessToken(): string | null {
  return state.accessToken;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function getChannel(): BroadcastChannel | null {
  if (channel || typeof BroadcastChannel === "undefined") return channel;
  channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (ev: MessageEvent) => {
    const msg = ev.data as { type: string; token?: string; expiresAt?: number };
    if (msg.type === "token" && msg.token && msg.expiresAt) {
      adopt(msg.token, msg.expiresAt);
    } else if (msg.type === "logout") {
      clear(false);
    }
  };
  return channel;
}

function broadcast(msg: object): void {
  try {
    getChannel()?.postMessage(msg);
  } catch {
    /* ignore */
  }
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (!state.accessToken) return;
  const lifetime = state.expiresAt - now();
  const margin = Math.min(REFRESH_MARGIN_MS, Math.max(lifetime / 4, 0));
  const delay = Math.max(lifetime - margin, 1_000);
  timer = setTimeout(() => {
    void refresh();
  }, delay);
}

function adopt(token: string, expiresAt: number): void {
  setState({ accessToken: token, expiresAt, expired: false });
  schedule();
}

function accept(body: TokenPair, share = true): void {
  if (body.refresh_token) memoryRefreshToken = body.refresh_token;
  const expiresAt = now() + body.expires_in * 1000;
  adopt(body.access_token, expiresAt);
  if (share) broadcast({ type: "token", token: body.access_token, expiresAt });
}

function clear(expired: boolean): void {
  if (timer) clearTimeout(timer);
  timer = null;
  memoryRefreshToken = null;
  setState({ accessToken: null, expiresAt: 0, expired });
}

/** The ApiError-free outcome of a login attempt. */
export type LoginResult = { ok: true } | { ok: false; status: number; body: unknown; retryAfter: number | null };

export async function login(username: string, password: string): Promise<LoginResult> {
  const { data, error, response } = await postToken(username, password);
  if (!response.ok || !data) {
    const ra = Number(response.headers.get("Retry-After"));
    const body = error && typeof error === "object" ? error : null;
    return { ok: false, status: response.status, body, retryAfter: Number.isFinite(ra) && ra > 0 ? ra : null };
  }
  getChannel();
  accept(data);
  return { ok: true };
}

async function doRefresh(): Promise<boolean> {
  // Another tab may have refreshed while we waited for the lock.
  if (state.accessToken && state.expiresAt - now() > REFRESH_MARGIN_MS + 5_000) return true;
  let result: Awaited<ReturnType<typeof postRefresh>>;
  try {
    result = await postRefresh(memoryRefreshToken);
  } catch {
    // Offline: keep the current token, try again shortly.
    if (state.accessToken) {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => void refresh(), 15_000);
    }
    return false;
  }
  if (!result.response.ok || !result.data) {
    const hadSession = state.accessToken !== null || memoryRefreshToken !== null;
    clear(hadSession);
    return false;
  }
  accept(result.data);
  return true;
}

/** Renew the access token; concurrent callers share one request, tabs take turns. */
export function refresh(): Promise<boolean> {
  if (inflight) return inflight;
  const run = (): Promise<boolean> => doRefresh();
  const locks = typeof navigator !== "undefined" ? (navigator as Navigator & { locks?: LockManager }).locks : undefined;
  const p: Promise<boolean> = (locks ? (locks.request(LOCK, run) as unknown as Promise<boolean>) : run()).finally(() => {
    inflight = null;
  });
  inflight = p;
  return p;
}

/** Startup: is there a session cookie we can turn into an access token? */
export async function restore(): Promise<boolean> {
  getChannel();
  if (state.accessToken) return true;
  const ok = await refresh();
  if (!ok) setState({ expired: false });
  return ok;
}

export async function logout(): Promise<void> {
  const token = state.accessToken;
  try {
    await postLogout(token);
  } catch {
    /* signing out locally is what matters */
  }
  broadcast({ type: "logout" });
  clear(false);
}

/** Mark the session as ended by the server (e.g. a 401 that a refresh could not fix). */
export function expire(): void {
  clear(true);
}

/** Tests only. */
export function __resetForTests(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  inflight = null;
  memoryRefreshToken = null;
  state = { accessToken: null, expiresAt: 0, expired: false };
  listeners.clear();
  channel?.close();
  channel = null;
}
