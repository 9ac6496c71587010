import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { ME, json, mockFetch, renderWithProviders } from "../test/utils";
import { filtersFromParams } from "./TasksPage";
import { issueFiltersFromParams } from "./IssuesPage";
import { WorkbenchPage, todoListLinks } from "./WorkbenchPage";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const signedIn = {
  "POST /api/v1/auth/refresh": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
  "GET /api/v1/me": () => json(ME),
};

const COUNTS = { accept: 2, work: 0, verify: 1, extension: 0, reissue: 0, handle: 1, confirm: 0, supervise: 1, chase_ack: 3 };
const item = (kind: string, id: string, type: "task" | "issue", extra: object = {}) => ({
  kind,
  item_type: type,
  item_id: id,
  title: `事项${id}`,
  due_at: "2030-01-02T10:00:00+08:00",
  status: "issued",
  colour: "green",
  on_behalf_of_org_id: null,
  on_behalf_of_org_name: null,
  ...extra,
});

describe("the workbench", () => {
  it("shows the server's counts, each linking to the list filtered by its kind", async () => {
    const { calls } = mockFetch({
      ...signedIn,
      "GET /api/v1/me/todo": () =>
        json({
          counts: COUNTS,
          items: [
            item("accept", "t1", "task", { colour: "red" }),
            item("accept", "t2", "task", { on_behalf_of_org_id: "n1", on_behalf_of_org_name: "无账号社区" }),
            item("verify", "t3", "task"),
            item("handle", "i1", "issue"),
          ],
          next_cursor: null,
        }),
    });
    renderWithProviders(<WorkbenchPage />);
    const accept = await screen.findByTestId("todo-count-accept");
    expect(accept.getAttribute("href")).toBe("/tasks?todo=accept");
    expect(within(accept).getByText("待签收")).toBeTruthy();
    expect(accept.textContent).toContain("2");
    expect(screen.getByTestId("todo-count-handle").getAttribute("href")).toBe("/issues?todo=handle");
    expect(screen.getByTestId("todo-count-confirm").textContent).toContain("0");
    await waitFor(() => expect(screen.getAllByText(/^事项/).length).toBe(4));
    expect(screen.getByText("代无账号社区办理")).toBeTruthy();
    expect(screen.getByText("事项i1").closest("a")?.getAttribute("href")).toBe("/issues/i1");
    // The chasing ladder's kinds are on both lists: a link to each.
    const supervise = screen.getByTestId("todo-count-supervise");
    expect(within(supervise).getByText("待下达督办单")).toBeTruthy();
    expect(supervise.textContent).toContain("1");
    expect(screen.getByTestId("todo-link-supervise-tasks").getAttribute("href")).toBe("/tasks?todo=supervise");
    expect(screen.getByTestId("todo-link-supervise-issues").getAttribute("href")).toBe("/issues?todo=supervise");
    const ack = screen.getByTestId("todo-count-chase_ack");
    expect(within(ack).getByText("催办待阅")).toBeTruthy();
    expect(ack.textContent).toContain("3");
    expect(screen.getByTestId("todo-link-chase_ack-issues").getAttribute("href")).toBe("/issues?todo=chase_ack");
    // The counts come from the server, never from a list filtered in the browser.
    expect(calls.some((c) => c.url.pathname === "/api/v1/tasks" || c.url.pathname === "/api/v1/issues")).toBe(false);
  });

  it("links each kind to the list whose filter is that kind", () => {
    expect(todoListLinks("verify")).toEqual([{ type: "tasks", href: "/tasks?todo=verify" }]);
    expect(todoListLinks("confirm")).toEqual([{ type: "issues", href: "/issues?todo=confirm" }]);
    expect(todoListLinks("chase_ack").map((l) => l.href)).toEqual(["/tasks?todo=chase_ack", "/issues?todo=chase_ack"]);
    expect(filtersFromParams(new URLSearchParams("todo=supervise")).todo).toBe("supervise");
    expect(issueFiltersFromParams(new URLSearchParams("todo=chase_ack")).todo).toBe("chase_ack");
    expect(filtersFromParams(new URLSearchParams("todo=verify")).todo).toBe("verify");
    expect(filtersFromParams(new URLSearchParams("todo=handle")).todo).toBeUndefined();
    expect(issueFiltersFromParams(new URLSearchParams("todo=handle")).todo).toBe("handle");
  });
});
