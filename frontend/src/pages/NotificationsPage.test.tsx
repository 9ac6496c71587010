import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Notification } from "../api/workitems";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { json, mockFetch, renderWithProviders } from "../test/utils";
import { NotificationsPage } from "./NotificationsPage";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

function notice(over: Partial<Notification>): Notification {
  return {
    id: "n1",
    kind: "chase_notice",
    entity_type: "task",
    entity_id: "t1",
    org_id: "o1",
    org_name: "城关社区",
    title: "排查隐患",
    created_at: "2026-10-08T00:00:00+08:00",
    read_at: null,
    acknowledged_at: null,
    acknowledgeable: true,
    on_behalf_of_org_id: null,
    on_behalf_of_org_name: null,
    ...over,
  };
}

describe("NotificationsPage", () => {
  it("offers 已阅 on chasing notices only, and acknowledges through the API", async () => {
    let acknowledged = false;
    const page = () =>
      json({
        items: [
          notice({ acknowledged_at: acknowledged ? "2026-10-08T09:00:00+08:00" : null, read_at: acknowledged ? "2026-10-08T09:00:00+08:00" : null }),
          notice({ id: "n2", kind: "task_assigned", acknowledgeable: false }),
        ],
        next_cursor: null,
        unread_count: 1,
      });
    const { calls } = mockFetch({
      "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401),
      "GET /api/v1/notifications": page,
      "POST /api/v1/notifications/n1/acknowledge": () => {
        acknowledged = true;
        return json(notice({ acknowledged_at: "2026-10-08T09:00:00+08:00" }));
      },
    });
    const user = userEvent.setup();
    renderWithProviders(<NotificationsPage />);
    const ack = await screen.findByRole("button", { name: "已 阅" });
    expect(screen.getAllByRole("button", { name: /已\s?阅/ })).toHaveLength(1);
    expect(screen.getByText(/催办通知/)).toBeInTheDocument();
    await user.click(ack);
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.url.pathname.endsWith("/n1/acknowledge"))).toBe(true));
    expect(await screen.findByText(/已阅于/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "已 阅" })).toBeNull();
  });
});
