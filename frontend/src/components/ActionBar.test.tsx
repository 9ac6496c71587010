import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { Route, Routes } from "react-router-dom";
import { IssueDetailPage } from "../pages/IssueDetailPage";
import { TaskDetailPage } from "../pages/TaskDetailPage";
import { issueFixture, json, mockFetch, renderWithProviders, taskFixture } from "../test/utils";
import { ActionBar } from "./ActionBar";
import { NOTE_MAX_LENGTH } from "../api/limits";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const base = { "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401) };

describe("ActionBar", () => {
  it("shows exactly the actions in allowed_actions, no more", () => {
    mockFetch(base);
    renderWithProviders(<ActionBar type="tasks" id="t1" allowed={["accept", "return"]} etag={null} />);
    const bar = screen.getByTestId("action-bar");
    expect(within(bar).getAllByRole("button").map((b) => b.getAttribute("data-action"))).toEqual(["accept", "return"]);
    expect(within(bar).getByRole("button", { name: "接 收" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /验收/ })).toBeNull();
  });

  it("shows an action separation of duties refuses as disabled, saying why", async () => {
    mockFetch(base);
    const user = userEvent.setup();
    const refused = [
      { action: "close", rule: "separation_of_duties", case: "own_resolution", detail: "You resolved this issue." },
    ] as const;
    renderWithProviders(<ActionBar type="issues" id="i1" allowed={["reopen"]} refused={[...refused]} etag={null} />);
    const close = screen.getByRole("button", { name: "确认办结并评价" });
    expect(close).toBeDisabled();
    expect(close).toHaveAccessibleDescription("这是您本人办结的问题，须由报告方其他人员确认和评价");
    await user.hover(close.parentElement ?? close);
    expect(await screen.findByRole("tooltip")).toHaveTextContent("这是您本人办结的问题");
    expect(screen.getByRole("button", { name: "重新打开" })).toBeEnabled();
  });

  it("offers take-over (提级办理) when it is allowed", () => {
    mockFetch(base);
    renderWithProviders(<ActionBar type="issues" id="i1" allowed={["take-over"]} etag={null} />);
    expect(screen.getByRole("button", { name: "提级办理" })).toHaveAttribute("data-action", "take-over");
  });

  it("renders nothing when no action is allowed", () => {
    mockFetch(base);
    renderWithProviders(<ActionBar type="issues" id="i1" allowed={[]} etag={null} />);
    expect(screen.queryByTestId("action-bar")).toBeNull();
  });

  it("requires a reason to return, then posts with If-Match and an Idempotency-Key", async () => {
    const { calls } = mockFetch({
      ...base,
      "POST /api/v1/tasks/t1/return": () => json({ id: "t1", status: "returned" }),
    });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="tasks" id="t1" allowed={["return"]} etag={'W/"3"'} />);
    await user.click(screen.getByRole("button", { name: "退 回" }));
    await user.click(await screen.findByTestId("action-submit"));
    expect(await screen.findByText("此项必填")).toBeInTheDocument();
    expect(calls.some((c) => c.url.pathname.endsWith("/return"))).toBe(false);

    await user.type(screen.getByTestId("action-note"), "材料不全");
    await user.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith("/return"))).toBe(true));
    const call = calls.find((c) => c.url.pathname.endsWith("/return"))!;
    expect(call.body).toEqual({ note: "材料不全" });
    expect(call.headers.get("If-Match")).toBe('W/"3"');
    expect(call.headers.get("Idempotency-Key")).toMatch(/.{8,}/);
  });

  it("issues a 督办单 with a required note and a new date in working days, sending only that", async () => {
    const { calls } = mockFetch({ ...base, "POST /api/v1/tasks/t1/supervise": () => json({ id: "t1", status: "in_progress" }) });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="tasks" id="t1" allowed={["supervise"]} etag={'W/"5"'} />);
    await user.click(screen.getByRole("button", { name: "下达督办单" }));
    expect(await screen.findByText(/督办单：写明督办要求/)).toBeInTheDocument();
    await user.click(screen.getByTestId("action-submit"));
    // Both the note and the date are required.
    await waitFor(() => expect(screen.getAllByText("此项必填")).toHaveLength(2));
    await user.click(within(screen.getByTestId("due-mode")).getByText("N个工作日"));
    await user.type(screen.getByTestId("due-working-days"), "5");
    await user.type(screen.getByTestId("action-note"), "限期办结，每日报送进度");
    await user.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(calls.some((c) => c.url.pathname.endsWith("/supervise"))).toBe(true));
    const call = calls.find((c) => c.url.pathname.endsWith("/supervise"))!;
    expect(call.body).toEqual({ note: "限期办结，每日报送进度", due_in_working_days: 5 });
    expect(call.headers.get("If-Match")).toBe('W/"5"');
  });

  it("refuses a number of working days out of the API's range", async () => {
    const { calls } = mockFetch(base);
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="issues" id="i1" allowed={["supervise"]} etag={null} />);
    await user.click(screen.getByRole("button", { name: "下达督办单" }));
    await user.click(within(await screen.findByTestId("due-mode")).getByText("N个工作日"));
    await user.type(screen.getByTestId("action-note"), "督办");
    await user.type(screen.getByTestId("due-working-days"), "0");
    await user.click(screen.getByTestId("action-submit"));
    expect(await screen.findByText("请输入1至250之间的整数")).toBeInTheDocument();
    expect(calls.some((c) => c.url.pathname.endsWith("/supervise"))).toBe(false);
  });

  it("keeps what was typed and shows a readable message when the submit fails; the retry reuses the key", async () => {
    let attempt = 0;
    const { calls } = mockFetch({
      ...base,
      "POST /api/v1/issues/i1/escalate": () =>
        ++attempt === 1
          ? json({ type: "https://liandong.example/problems/conflict", title: "Conflict", status: 409, detail: "Issue is closed." }, 409)
          : json({ id: "i1", status: "open" }),
    });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="issues" id="i1" allowed={["escalate"]} etag={null} />);
    await user.click(screen.getByRole("button", { name: "逐级上报" }));
    await user.type(await screen.findByTestId("action-note"), "需要县里协调");
    await user.click(screen.getByTestId("action-submit"));
    expect(await screen.findByText(/当前状态不允许此操作/)).toBeInTheDocument();
    expect(screen.getByTestId("action-note")).toHaveValue("需要县里协调");
    await user.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(attempt).toBe(2));
    const keys = calls.filter((c) => c.url.pathname.endsWith("/escalate")).map((c) => c.headers.get("Idempotency-Key"));
    expect(keys[0]).toBe(keys[1]);
  });

  it("asks for a 1-5 rating to close an issue", async () => {
    const { calls } = mockFetch({ ...base, "POST /api/v1/issues/i1/close": () => json({ id: "i1", status: "closed" }) });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="issues" id="i1" allowed={["close"]} etag={null} />);
    await user.click(screen.getByRole("button", { name: "确认办结并评价" }));
    await user.click(await screen.findByTestId("action-submit"));
    expect(await screen.findByText("请打分（1-5星）")).toBeInTheDocument();
    const stars = document.querySelectorAll(".ant-modal .ant-rate-star > div");
    await user.click(stars[3] as Element);
    await user.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(calls.find((c) => c.url.pathname.endsWith("/close"))?.body).toEqual({ rating: 4 }));
  });

  it("asks for the percentage with a progress report, and leaves the note optional (as the API)", async () => {
    const { calls } = mockFetch({ ...base, "POST /api/v1/tasks/t1/progress": () => json({ id: "t1", status: "in_progress" }) });
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="tasks" id="t1" allowed={["progress"]} etag={'W/"5"'} />);
    await user.click(screen.getByRole("button", { name: "报告进度" }));
    await user.type(await screen.findByTestId("action-note"), "已完成一半");
    await user.click(screen.getByTestId("action-submit"));
    expect(await screen.findByText("此项必填")).toBeInTheDocument();
    expect(calls.some((c) => c.url.pathname.endsWith("/progress"))).toBe(false);
    await user.clear(screen.getByTestId("action-note"));
    await user.type(screen.getByRole("spinbutton"), "50");
    await user.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(calls.find((c) => c.url.pathname.endsWith("/progress"))?.body).toEqual({ progress: 50 }));
  });

  it("takes a note as long as the API allows", async () => {
    mockFetch(base);
    const user = userEvent.setup();
    renderWithProviders(<ActionBar type="tasks" id="t1" allowed={["progress"]} etag={null} />);
    await user.click(screen.getByRole("button", { name: "报告进度" }));
    expect(await screen.findByTestId("action-note")).toHaveAttribute("maxLength", String(NOTE_MAX_LENGTH));
  });

  it("after a stale version (412) reloads the item and retries with its new ETag and a fresh Idempotency-Key", async () => {
    let current = taskFixture({ allowed_actions: ["accept"], can_edit: false });
    let posts = 0;
    const { calls } = mockFetch({
      ...base,
      "GET /api/v1/tasks/t1": () => json(current, 200, { ETag: `W/"${current.version}"` }),
      "GET /api/v1/tasks/t1/events": () => json({ items: [], next_cursor: null }),
      "GET /api/v1/tasks/t1/feedback": () => json({ items: [], next_cursor: null }),
      "POST /api/v1/tasks/t1/accept": () => {
        posts += 1;
        if (posts === 1) {
          current = { ...current, description: "入户动员（补充）", version: 4 };
          return json({ title: "Precondition Failed", status: 412, detail: "The task has changed since you read it." }, 412);
        }
        current = { ...current, status: "accepted", allowed_actions: [], version: 5 };
        return json(current, 200, { ETag: 'W/"5"' });
      },
    });
    const user = userEvent.setup();
    renderWithProviders(
      <Routes>
        <Route path="/tasks/:id" element={<TaskDetailPage />} />
      </Routes>,
      { route: "/tasks/t1" },
    );
    await user.click(await screen.findByRole("button", { name: "接 收" }));
    await user.type(await screen.findByTestId("action-note"), "收到");
    await user.click(screen.getByTestId("action-submit"));
    expect(await screen.findByText(/已被他人更新/)).toBeInTheDocument();
    // The page reloads the task meanwhile (the new description shows), and the note stays.
    expect(await screen.findByText("入户动员（补充）")).toBeInTheDocument();
    expect(screen.getByTestId("action-note")).toHaveValue("收到");

    await user.click(screen.getByTestId("action-submit"));
    await waitFor(() => expect(posts).toBe(2));
    const [stale, retry] = calls.filter((c) => c.url.pathname === "/api/v1/tasks/t1/accept");
    expect(stale!.headers.get("If-Match")).toBe('W/"3"');
    expect(retry!.headers.get("If-Match")).toBe('W/"4"');
    expect(retry!.headers.get("Idempotency-Key")).not.toBe(stale!.headers.get("Idempotency-Key"));
    expect(retry!.body).toEqual({ note: "收到" });
    await waitFor(() => expect(screen.getByTestId("task-detail")).toHaveAttribute("data-status", "accepted"));
  });

  it("shows 下达督办单 on the task and issue pages when allowed_actions has supervise", async () => {
    mockFetch({
      ...base,
      "GET /api/v1/tasks/t1": () => json(taskFixture({ allowed_actions: ["supervise"] }), 200, { ETag: 'W/"3"' }),
      "GET /api/v1/tasks/t2": () => json(taskFixture({ id: "t2", allowed_actions: [] }), 200, { ETag: 'W/"3"' }),
      "GET /api/v1/issues/i1": () => json(issueFixture({ allowed_actions: ["supervise"] }), 200, { ETag: 'W/"2"' }),
    });
    const pages = (
      <Routes>
        <Route path="/tasks/:id" element={<TaskDetailPage />} />
        <Route path="/issues/:id" element={<IssueDetailPage />} />
      </Routes>
    );
    const { unmount } = renderWithProviders(pages, { route: "/tasks/t1" });
    expect(await screen.findByRole("button", { name: "下达督办单" })).toHaveAttribute("data-action", "supervise");
    unmount();
    const issue = renderWithProviders(pages, { route: "/issues/i1" });
    expect(await screen.findByRole("button", { name: "下达督办单" })).toHaveAttribute("data-action", "supervise");
    issue.unmount();
    renderWithProviders(pages, { route: "/tasks/t2" });
    expect(await screen.findByText(taskFixture().title)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "下达督办单" })).toBeNull();
  });
});
