import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { grantFixture, json, mockFetch, renderWithProviders, type Call } from "../test/utils";
import { OrgsPage } from "./OrgsPage";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const node = (id: string, name: string, kind: string, children: unknown[] = []) => ({ id, name, kind, tier: kind, parent_id: null, code: null, children });
const TREE = node("county", "兰坪县", "county", [
  node("s1", "翠屏街道", "street", [node("c1", "永兴社区", "community"), node("c2", "和谐社区", "community")]),
  node("s2", "永昌街道", "street", [node("c3", "新城社区", "community")]),
  node("d1", "县财政局", "department"),
]);

function summary(orgId: string) {
  const n = orgId.length; // distinct, non-zero counts per unit
  return {
    org_id: orgId,
    org_name: orgId,
    kind: "street",
    tier: "street",
    as_of: "2030-01-01T00:00:00Z",
    tasks: { total: n, by_status: {}, by_priority: {}, open: n, overdue: 1, due_soon: 0, urgent_open: 0, done_on_time: 0, done_late: 0, avg_seconds_to_complete: null },
    issues: {
      total: 9,
      by_status: { resolved: 2, closed: 3 },
      open: 4,
      overdue: 0,
      due_soon: 0,
      open_by_severity: {},
      open_by_category: {},
      resolved_by_tier: {},
      avg_seconds_to_resolve: null,
      avg_seconds_to_resolve_by_tier: {},
      rated: 0,
      avg_rating: null,
    },
  };
}

function serve() {
  return mockFetch({
    "POST /api/v1/auth/refresh": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
    "GET /api/v1/me": () =>
      json({ id: "u1", username: "county.leader", display_name: "县领导", demo_mode: true, grants: [grantFixture({ id: "g1", org_id: "county", role: "leader", org_name: "兰坪县", org_kind: "county" })] }),
    "GET /api/v1/orgs/county/tree": () => json(TREE),
    "GET /api/v1/stats/summary": (c) => json(summary(c.url.searchParams.get("org_id") ?? "")),
  });
}

const asked = (calls: Call[]) =>
  calls.filter((c) => c.url.pathname === "/api/v1/stats/summary").map((c) => c.url.searchParams.get("org_id") ?? "");

describe("OrgsPage counts", () => {
  it("asks for the counts of the units on show only, and asks again for none when a branch is reopened", async () => {
    const { calls } = serve();
    const user = userEvent.setup();
    renderWithProviders(<OrgsPage />, { route: "/orgs" });
    await screen.findByText("翠屏街道");
    await waitFor(() => expect(new Set(asked(calls))).toEqual(new Set(["county", "s1", "s2", "d1"])));
    expect(asked(calls)).toHaveLength(4); // one request per unit, not one per render
    const countyCounts = screen.getByText("兰坪县").closest("[data-testid=org-node]")!.querySelector("[data-testid=org-counts]")!;
    await waitFor(() => expect(countyCounts).toHaveTextContent("任务 6"));
    expect(countyCounts).toHaveTextContent("超期 1");

    // Open 翠屏街道: its two communities are now on show and get their counts.
    const switcher = screen.getByText("翠屏街道").closest(".ant-tree-treenode")!.querySelector(".ant-tree-switcher")!;
    await user.click(switcher);
    await screen.findByText("永兴社区");
    await waitFor(() => expect(new Set(asked(calls))).toEqual(new Set(["county", "s1", "s2", "d1", "c1", "c2"])));
    expect(asked(calls)).not.toContain("c3"); // 永昌街道 stays closed

    // Close and reopen: the counts come from the cache.
    await user.click(switcher);
    await user.click(switcher);
    await screen.findByText("永兴社区");
    expect(asked(calls)).toHaveLength(6);
  });

  it("waits until a node scrolls into view before asking for its counts", async () => {
    const observed = new Map<Element, IntersectionObserverCallback>();
    class FakeIO {
      constructor(private cb: IntersectionObserverCallback) {}
      observe(el: Element) {
        observed.set(el, this.cb);
      }
      unobserve() {}
      disconnect() {}
    }
    vi.stubGlobal("IntersectionObserver", FakeIO);
    const { calls } = serve();
    renderWithProviders(<OrgsPage />, { route: "/orgs" });
    await screen.findByText("县财政局");
    await new Promise((r) => setTimeout(r, 50));
    expect(asked(calls)).toEqual([]);

    const counts = screen.getByText("县财政局").closest("[data-testid=org-node]")!.querySelector("[data-testid=org-counts]")!;
    act(() => observed.get(counts)!([{ isIntersecting: true, target: counts } as unknown as IntersectionObserverEntry], {} as IntersectionObserver));
    await waitFor(() => expect(asked(calls)).toEqual(["d1"]));
    await waitFor(() => expect(counts).toHaveAttribute("data-loaded", "true"));
    expect(counts).toHaveTextContent("任务 2");
    expect(counts).toHaveTextContent("已解决 5");
  });
});
