import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import dayjs from "dayjs";
import { Route, Routes } from "react-router-dom";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { IssueDetailPage } from "../pages/IssueDetailPage";
import { TaskDetailPage } from "../pages/TaskDetailPage";
import { issueFixture, json, mockFetch, renderWithProviders, taskFixture } from "../test/utils";
import { changedBody, rebase, valuesOf } from "./EditItemDrawer";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const base = {
  "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401),
  "GET /api/v1/tasks/t1/events": () => json({ items: [], next_cursor: null }),
  "GET /api/v1/tasks/t1/feedback": () => json({ items: [], next_cursor: null }),
  "GET /api/v1/issues/i1/events": () => json({ items: [], next_cursor: null }),
  "GET /api/v1/issues/i1/feedback": () => json({ items: [], next_cursor: null }),
};

function renderTask() {
  return renderWithProviders(
    <Routes>
      <Route path="/tasks/:id" element={<TaskDetailPage />} />
    </Routes>,
    { route: "/tasks/t1" },
  );
}

function renderIssue() {
  return renderWithProviders(
    <Routes>
      <Route path="/issues/:id" element={<IssueDetailPage />} />
    </Routes>,
    { route: "/issues/i1" },
  );
}

const findEditButton = async () => {
  await waitFor(() => expect(document.querySelector("[data-action=edit]")).not.toBeNull());
  return document.querySelector("[data-action=edit]") as HTMLElement;
};
const drawer = () => screen.getByTestId("edit-drawer");
const titleInput = () => within(drawer()).getByLabelText("任务名称");

describe("editing a task", () => {
  it("offers no edit button when the server says can_edit is false", async () => {
    mockFetch({ ...base, "GET /api/v1/tasks/t1": () => json(taskFixture({ can_edit: false }), 200, { ETag: 'W/"3"' }) });
    renderTask();
    await screen.findByRole("heading", { name: "招工动员" });
    expect(document.querySelector("[data-action=edit]")).toBeNull();
    expect(screen.queryByTestId("edit-drawer")).toBeNull();
  });

  it("sends only the changed fields with If-Match, then shows the saved task", async () => {
    let current = taskFixture();
    const { calls } = mockFetch({
      ...base,
      "GET /api/v1/tasks/t1": () => json(current, 200, { ETag: `W/"${current.version}"` }),
      "PATCH /api/v1/tasks/t1": (c) => {
        current = { ...current, ...(c.body as object), version: current.version + 1 };
        return json(current, 200, { ETag: `W/"${current.version}"` });
      },
    });
    const user = userEvent.setup();
    renderTask();
    await user.click(await findEditButton());
    await user.clear(titleInput());
    await user.type(titleInput(), "招工动员（第二轮）");
    await user.click(screen.getByTestId("edit-save"));

    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.url.pathname).toBe("/api/v1/tasks/t1");
    expect(patch.headers.get("If-Match")).toBe('W/"3"');
    expect(patch.body).toEqual({ title: "招工动员（第二轮）" });
    expect(await screen.findByRole("heading", { name: "招工动员（第二轮）" })).toBeInTheDocument();
  });

  it("on 412 reloads the task, keeps what was typed, takes the other person's untouched changes, and saves with the new ETag", async () => {
    let current = taskFixture();
    let patches = 0;
    const { calls } = mockFetch({
      ...base,
      "GET /api/v1/tasks/t1": () => json(current, 200, { ETag: `W/"${current.version}"` }),
      "PATCH /api/v1/tasks/t1": (c) => {
        patches += 1;
        if (patches === 1) {
          // Someone else saved meanwhile: a new description and priority, version 4.
          current = { ...current, description: "入户动员并登记", priority: "urgent", version: 4 };
          return json({ type: "about:blank", title: "Precondition Failed", status: 412, detail: "The task has changed since you read it." }, 412, { ETag: 'W/"4"' });
        }
        current = { ...current, ...(c.body as object), version: current.version + 1 };
        return json(current, 200, { ETag: `W/"${current.version}"` });
      },
    });
    const user = userEvent.setup();
    renderTask();
    await user.click(await findEditButton());
    await user.clear(titleInput());
    await user.type(titleInput(), "我的新标题");
    await user.click(screen.getByTestId("edit-save"));

    // A clear message; the drawer stays open with the typed title and the other person's description.
    const alert = await screen.findByTestId("edit-stale");
    expect(alert).toHaveTextContent("刚被他人修改");
    expect(titleInput()).toHaveValue("我的新标题");
    expect(within(drawer()).getByLabelText("任务内容")).toHaveValue("入户动员并登记");
    expect(calls.filter((c) => c.method === "GET" && c.url.pathname === "/api/v1/tasks/t1").length).toBeGreaterThanOrEqual(2);

    await user.click(screen.getByTestId("edit-save"));
    await waitFor(() => expect(patches).toBe(2));
    const retry = calls.filter((c) => c.method === "PATCH")[1]!;
    expect(retry.headers.get("If-Match")).toBe('W/"4"');
    // Only the user's own change goes out: the reloaded description and priority are not sent back.
    expect(retry.body).toEqual({ title: "我的新标题" });
    expect(await screen.findByRole("heading", { name: "我的新标题" })).toBeInTheDocument();
  });

  it("shows the server's field errors and keeps the input when the save is refused", async () => {
    mockFetch({
      ...base,
      "GET /api/v1/tasks/t1": () => json(taskFixture(), 200, { ETag: 'W/"3"' }),
      "PATCH /api/v1/tasks/t1": () =>
        json({ title: "Unprocessable", status: 422, detail: "The request is not valid.", errors: [{ loc: ["body", "title"], msg: "too long for the archive" }] }, 422),
    });
    const user = userEvent.setup();
    renderTask();
    await user.click(await findEditButton());
    await user.type(titleInput(), "！");
    await user.click(screen.getByTestId("edit-save"));
    expect(await within(drawer()).findByText("too long for the archive")).toBeInTheDocument();
    expect(titleInput()).toHaveValue("招工动员！");
  });
});

describe("editing an issue", () => {
  it("patches the severity with If-Match", async () => {
    let current = issueFixture();
    const { calls } = mockFetch({
      ...base,
      "GET /api/v1/issues/i1": () => json(current, 200, { ETag: `W/"${current.version}"` }),
      "PATCH /api/v1/issues/i1": (c) => {
        current = { ...current, ...(c.body as object), version: current.version + 1 };
        return json(current, 200, { ETag: `W/"${current.version}"` });
      },
    });
    const user = userEvent.setup();
    renderIssue();
    await user.click(await findEditButton());
    const severity = within(drawer()).getByLabelText("严重程度");
    await user.click(severity);
    await user.click(await screen.findByTitle("紧急"));
    await user.click(screen.getByTestId("edit-save"));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.headers.get("If-Match")).toBe('W/"2"');
    expect(patch.body).toEqual({ severity: "critical" });
  });
});

describe("edit helpers", () => {
  it("compares dates by instant and text trimmed", () => {
    const t = taskFixture();
    const v = valuesOf("tasks", t);
    expect(changedBody("tasks", { ...v, title: ` ${t.title} `, due_at: dayjs(t.due_at) }, v)).toEqual({});
    const later = dayjs(t.due_at).add(1, "day");
    expect(changedBody("tasks", { ...v, due_at: later }, v)).toEqual({ due_at: later.toISOString() });
  });

  it("reports a conflict only where both sides changed the same field differently", () => {
    const old = valuesOf("issues", issueFixture());
    const fresh = { ...old, title: "他人标题", severity: "high" };
    const typed = { ...old, title: "我的标题", description: "补充说明" };
    const { values, conflicts } = rebase("issues", typed, old, fresh);
    expect(conflicts).toEqual(["title"]);
    expect(values).toMatchObject({ title: "我的标题", description: "补充说明", severity: "high" });
  });
});
