/**
 * The sign-in routes (token, refresh, logout) through the generated client. They use plain
 * fetch, not the session's (./http authFetch): the session is what they make or end, and a 401
 * from them is an answer, not a reason to refresh. ../auth/session.ts decides what to do with
 * the answers.
 */
import createClient from "openapi-fetch";
import type { Schemas } from "./client";
import type { paths } from "./schema";

export type TokenPair = Schemas["TokenPair"];

/** `cookie`: the backend keeps the refresh token in an HttpOnly cookie the SPA never sees. */
export const REFRESH_MODE_HEADER = "X-Refresh-Mode";

const authApi = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "http://localhost",
  fetch: (req: Request) => fetch(req),
  credentials: "same-origin",
});

/** POST /auth/token (a form, as OAuth2's password flow has it), asking for the cookie mode. */
export function postToken(username: string, password: string) {
  return authApi.POST("/api/v1/auth/token", {
    params: { header: { [REFRESH_MODE_HEADER]: "cookie" } },
    body: { username, password },
    bodySerializer: (form) => new URLSearchParams(form).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
  });
}

/** POST /auth/refresh: the cookie carries the refresh token (the body is `{}`), unless one is kept in memory. */
export function postRefresh(refreshToken: string | null) {
  return authApi.POST("/api/v1/auth/refresh", {
    body: refreshToken ? { refresh_token: refreshToken } : {},
    headers: { Accept: "application/json", [REFRESH_MODE_HEADER]: "cookie" },
  });
}

/** POST /auth/logout: ends the session of the access token, or (that expired) of the refresh cookie. */
export function postLogout(accessToken: string | null) {
  return authApi.POST("/api/v1/auth/logout", {
    headers: { [REFRESH_MODE_HEADER]: "cookie", ...(accessToken ? { Authorization: `Bearer ${accessToken}` } : {}) },
  });
}
