import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch } from "../test/utils";
import * as session from "./session";

beforeEach(() => session.__resetForTests());
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("session", () => {
  it("signs in asking for the cookie mode and keeps the access token in memory only", async () => {
    const { calls } = mockFetch({
      "POST /api/v1/auth/token": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
    });
    const r = await session.login("community.officer", "pw");
    expect(r.ok).toBe(true);
    expect(calls[0]?.headers.get("X-Refresh-Mode")).toBe("cookie");
    expect(String(calls[0]?.body)).toBe("username=community.officer&password=pw");
    expect(session.getAccessToken()).toBe("A1");
    expect(JSON.stringify({ ...localStorage })).not.toContain("A1");
    expect(JSON.stringify({ ...sessionStorage })).not.toContain("A1");
  });

  it("refreshes silently shortly before expiry with an empty body (the cookie carries the token)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    let n = 0;
    const { calls } = mockFetch({
      "POST /api/v1/auth/token": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
      "POST /api/v1/auth/refresh": () => json({ access_token: `R${++n}`, token_type: "bearer", expires_in: 900 }),
    });
    await session.login("u", "p");
    await vi.advanceTimersByTimeAsync(839_000);
    expect(calls.filter((c) => c.url.pathname.endsWith("/refresh"))).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2_000); // 60 s before the 900 s expiry
    const refreshes = calls.filter((c) => c.url.pathname.endsWith("/refresh"));
    expect(refreshes).toHaveLength(1);
    expect(refreshes[0]?.body).toEqual({});
    expect(session.getAccessToken()).toBe("R1");
  });

  it("shares one refresh between concurrent callers", async () => {
    let n = 0;
    mockFetch({
      "POST /api/v1/auth/refresh": async () => {
        n += 1;
        await new Promise((r) => setTimeout(r, 10));
        return json({ access_token: "R", token_type: "bearer", expires_in: 900 });
      },
    });
    const results = await Promise.all([session.refresh(), session.refresh(), session.refresh()]);
    expect(results).toEqual([true, true, true]);
    expect(n).toBe(1);
  });

  it("marks the session expired (not just signed out) when a refresh is refused after sign-in", async () => {
    mockFetch({
      "POST /api/v1/auth/token": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
      "POST /api/v1/auth/refresh": () => json({ status: 401, title: "Unauthorized" }, 401),
    });
    await session.login("u", "p");
    session.__resetForTests();
    await session.login("u", "p");
    // Force a refresh by pretending the token is about to expire.
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 899_000);
    expect(await session.refresh()).toBe(false);
    expect(session.getSession()).toMatchObject({ accessToken: null, expired: true });
  });

  it("restores nothing at startup when there is no cookie", async () => {
    mockFetch({ "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401) });
    expect(await session.restore()).toBe(false);
    expect(session.getSession()).toMatchObject({ accessToken: null, expired: false });
  });
});
