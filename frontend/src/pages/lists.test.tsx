import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { ME, json, mockFetch, renderWithProviders } from "../test/utils";
import { IssuesPage } from "./IssuesPage";
import { NotificationsPage } from "./NotificationsPage";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const signedIn = {
  "POST /api/v1/auth/refresh": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
  "GET /api/v1/me": () => json(ME),
};

describe("the issue list", () => {
  it("asks the server with the filters of a bookmarked address", async () => {
    const { calls } = mockFetch({ ...signedIn, "GET /api/v1/issues": () => json({ items: [], next_cursor: null }) });
    renderWithProviders(<IssuesPage />, { route: "/issues?status=open&status=acknowledged&category=power&severity=bogus&resolved_tier=county&sort=-created_at" });
    await waitFor(() => expect(calls.some((c) => c.url.pathname === "/api/v1/issues")).toBe(true));
    const url = calls.find((c) => c.url.pathname === "/api/v1/issues")!.url;
    expect(url.searchParams.getAll("status")).toEqual(["open", "acknowledged"]);
    expect(url.searchParams.getAll("category")).toEqual(["power"]);
    expect(url.searchParams.has("severity")).toBe(false); // not a severity the backend knows
    expect(url.searchParams.get("resolved_tier")).toBe("county");
    expect(url.searchParams.get("sort")).toBe("-created_at");
  });
});

describe("notifications", () => {
  const notice = (id: string, read: boolean) => ({
    id,
    kind: "task_assigned",
    title: `任务${id}`,
    entity_type: "task",
    entity_id: `t-${id}`,
    org_id: "o-com",
    org_name: "永兴社区",
    read_at: read ? "2030-01-02T00:00:00Z" : null,
    created_at: "2030-01-01T00:00:00Z",
  });

  it("marks one as read, then shows the list as the server has it now", async () => {
    let read = false;
    const { calls } = mockFetch({
      ...signedIn,
      "GET /api/v1/notifications": () => json({ items: [notice("n1", read), notice("n2", true)], next_cursor: null, unread_count: read ? 0 : 1 }),
      "POST /api/v1/notifications/n1/read": () => {
        read = true;
        return json(notice("n1", true));
      },
    });
    const user = userEvent.setup();
    renderWithProviders(<NotificationsPage />, { route: "/notifications" });
    const list = await screen.findByTestId("notification-list");
    await user.click(await within(list).findByRole("button", { name: "标为已读" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.url.pathname === "/api/v1/notifications/n1/read")).toBe(true));
    // The list is asked again after the write, and no unread one is left.
    await waitFor(() => expect(within(list).queryByRole("button", { name: "标为已读" })).toBeNull());
    const posted = calls.findIndex((c) => c.method === "POST");
    expect(calls.slice(posted).some((c) => c.method === "GET" && c.url.pathname === "/api/v1/notifications")).toBe(true);
  });

  it("shows why marking all as read failed", async () => {
    mockFetch({
      ...signedIn,
      "GET /api/v1/notifications": () => json({ items: [notice("n1", false)], next_cursor: null, unread_count: 1 }),
      "POST /api/v1/notifications/read-all": () => json({ status: 503, title: "Service Unavailable" }, 503),
    });
    const user = userEvent.setup();
    renderWithProviders(<NotificationsPage />, { route: "/notifications" });
    await screen.findByText(/任务n1/);
    await user.click(screen.getByRole("button", { name: "全部标为已读" }));
    expect(await screen.findByText(/服务器/)).toBeInTheDocument();
  });
});
