import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as session from "../auth/session";
import i18n from "../i18n";
import { json, mockFetch, taskFixture } from "../test/utils";
import { ApiError, errorMessage } from "./problem";
import { workItems } from "./workitems";

beforeEach(() => session.__resetForTests());
afterEach(() => vi.unstubAllGlobals());

const signIn = { "POST /api/v1/auth/token": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }) };

describe("work items through the generated client", () => {
  it("reads a task with its ETag, renewing the session once when the token is refused", async () => {
    let refreshed = 0;
    const { calls } = mockFetch({
      // A token about to expire, so the 401 is worth a refresh.
      "POST /api/v1/auth/token": () => json({ access_token: "A1", token_type: "bearer", expires_in: 60 }),
      "POST /api/v1/auth/refresh": () => json({ access_token: `R${++refreshed}`, token_type: "bearer", expires_in: 900 }),
      "GET /api/v1/tasks/t1": (c) =>
        c.headers.get("Authorization") === "Bearer R1"
          ? json(taskFixture(), 200, { ETag: 'W/"3"' })
          : json({ status: 401, title: "Unauthorized", detail: "Token expired." }, 401),
    });
    await session.login("u", "p");
    const { data, etag } = await workItems.getTask("t1");
    expect(data.title).toBe("招工动员");
    expect(etag).toBe('W/"3"');
    expect(refreshed).toBe(1);
    const reads = calls.filter((c) => c.url.pathname === "/api/v1/tasks/t1").map((c) => c.headers.get("Authorization"));
    expect(reads).toEqual(["Bearer A1", "Bearer R1"]);
  });

  it("sends the list's filters as the backend's query parameters", async () => {
    const { calls } = mockFetch({ ...signIn, "GET /api/v1/tasks": () => json({ items: [], next_cursor: null }) });
    await session.login("u", "p");
    await workItems.listTasks({ status: ["issued", "accepted"], overdue: true, within_org_id: "o1", sort: "due_at", q: null }, "c2");
    const url = calls.find((c) => c.url.pathname === "/api/v1/tasks")!.url;
    expect(url.searchParams.getAll("status")).toEqual(["issued", "accepted"]);
    expect(Object.fromEntries([...url.searchParams].filter(([k]) => k !== "status"))).toEqual({
      overdue: "true",
      within_org_id: "o1",
      sort: "due_at",
      limit: "50",
      cursor: "c2",
    });
  });

  it("posts an action with its body, If-Match and Idempotency-Key; without a version it sends no If-Match", async () => {
    const { calls } = mockFetch({ ...signIn, "POST /api/v1/tasks/t1/progress": () => json(taskFixture({ progress: 40 })) });
    await session.login("u", "p");
    const task = await workItems.taskAction("t1", "progress", { progress: 40, note: "过半" }, { idempotencyKey: "k1", ifMatch: 'W/"3"' });
    expect(task.progress).toBe(40);
    await workItems.taskAction("t1", "progress", { progress: 50 }, { idempotencyKey: "k2", ifMatch: null });
    const [first, second] = calls.filter((c) => c.url.pathname === "/api/v1/tasks/t1/progress");
    expect(first!.body).toEqual({ progress: 40, note: "过半" });
    expect(first!.headers.get("Content-Type")).toBe("application/json");
    expect(first!.headers.get("If-Match")).toBe('W/"3"');
    expect(first!.headers.get("Idempotency-Key")).toBe("k1");
    expect(second!.headers.has("If-Match")).toBe(false);
    expect(second!.headers.get("Idempotency-Key")).toBe("k2");
  });

  it("turns a throttled write into a message with the wait from Retry-After", async () => {
    mockFetch({
      ...signIn,
      "POST /api/v1/issues": () => json({ status: 429, title: "Too Many Requests", detail: "Slow down." }, 429, { "Retry-After": "42" }),
    });
    await session.login("u", "p");
    const body = { title: "停电", description: "全厂停电", category: "power", severity: "high", reporter_org_id: "o-com" } as const;
    const err = await workItems.createIssue(body, "k").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).retryAfter).toBe(42);
    expect(errorMessage(err, i18n.getFixedT("zh-CN"))).toContain("请 42 秒后再试");
  });
});
