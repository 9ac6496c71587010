// The browser suite: issue 4's stories a-e, screenshots and axe on every main page.
// Run by e2e/run.mjs with BASE_URL of a running server on fresh demo data.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  BASE_URL,
  DESKTOP,
  HAN,
  PHONE,
  assertNoHorizontalScroll,
  axeCheck,
  hasAssignableOrgs,
  hasWorkItems,
  launch,
  login,
  newPage,
  screenshot,
  settle,
} from "./lib.mjs";

let browser;
let workItems = false;
let assignable = false;
const stamp = Date.now().toString(36);
const shared = { issueId: null, issueTitle: `E2E 厂房用电不足 ${stamp}`, taskId: null, taskTitle: `E2E 招工动员 ${stamp}` };
const PENDING = "pending: the backend does not serve /api/v1/tasks and /api/v1/issues yet";
const PENDING_ASSIGNABLE =
  "pending: GET /api/v1/tasks/assignable-units?issuer_org_id= does not yet list the units an issuer may assign to (taskforce -> communities), so the unit picker cannot offer them";

before(async () => {
  browser = await launch();
  workItems = await hasWorkItems();
  if (!workItems) console.log(`# note: ${PENDING}; the work-item stories are skipped`);
  assignable = workItems && (await hasAssignableOrgs());
  if (!assignable) console.log(`# note: ${PENDING_ASSIGNABLE}`);
});
after(async () => {
  await browser?.close();
});

const OPEN_DROPDOWN = ".ant-select-dropdown:not(.ant-select-dropdown-hidden)";

/** No select or tree-select dropdown is on screen (its closing motion included). */
async function noOpenDropdown(page) {
  await page.waitForFunction((sel) => ![...document.querySelectorAll(sel)].some((el) => el.getClientRects().length), OPEN_DROPDOWN);
}

/** Wait for a modal or drawer to finish its opening motion, so clicks land where the element will stay. */
async function opened(page, dialog) {
  await dialog.waitFor();
  await page.waitForFunction((el) => !/-(appear|enter)\b/.test(el.className) && el.getAnimations({ subtree: true }).every((a) => a.playState !== "running" || a.effect?.getComputedTiming().iterations === Infinity), await dialog.elementHandle());
}

/**
 * Choose an option in the select inside `container` (a form item): open it, type the search,
 * click the option once the dropdown shows it, and wait until the field shows the choice and the
 * dropdown is gone, so it cannot cover the next field. A click lost to a dropdown that moved
 * under the pointer (it re-aligns as the search narrows the list) is seen and made again.
 */
async function choose(page, container, search, optionSelector, optionText) {
  const combo = container.locator("input[role=combobox]");
  const chosen = container.locator(".ant-select-selection-item", { hasText: optionText });
  await noOpenDropdown(page); // a previous field's dropdown must not cover this one
  await container.locator(".ant-select-selector").click();
  await page.waitForFunction((el) => el.getAttribute("aria-expanded") === "true", await combo.elementHandle());
  if (search) await combo.fill(search);
  const option = page.locator(`${OPEN_DROPDOWN} ${optionSelector}`, { hasText: optionText }).first();
  for (let attempt = 1; ; attempt++) {
    await option.click();
    try {
      await chosen.waitFor({ timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt >= 3) throw new Error(`the field did not take "${optionText}"`, { cause: err });
      if ((await combo.getAttribute("aria-expanded")) !== "true") {
        await container.locator(".ant-select-selector").click();
        if (search) await combo.fill(search);
      }
    }
  }
  // A single select closes on choosing; if it has not, click the field's label (outside the
  // dropdown, inside the modal: Escape would close the modal too).
  try {
    await page.waitForFunction((el) => el.getAttribute("aria-expanded") !== "true", await combo.elementHandle(), { timeout: 5_000 });
  } catch {
    await container.locator(".ant-form-item-label label").click();
  }
  await noOpenDropdown(page);
  await chosen.waitFor();
}

async function pickTreeOption(page, container, search, optionText) {
  await choose(page, container, search, ".ant-select-tree-title", optionText);
}

async function pickSelectOption(page, container, search, optionText) {
  await choose(page, container, search, ".ant-select-item-option", optionText);
}

/** Give a Rate its value with the keyboard (Enter on the star) and wait until it shows it. */
async function rate(page, dialog, rating) {
  const stars = dialog.locator(".ant-rate [role=radio]");
  await stars.nth(rating - 1).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    ([el, n]) => el.querySelectorAll('[role=radio][aria-checked="true"]').length === n && el.querySelectorAll(".ant-rate-star-full").length === n,
    [await dialog.locator(".ant-rate").elementHandle(), rating],
  );
}

/**
 * Click a dialog's submit and wait for the POST it sends. `refetched` resolves on the first
 * GET of the item after that POST (the page reloads the item after a 412).
 */
async function submitAction(page, dialog, action) {
  const item = `/api/v1${new URL(page.url()).pathname}`;
  let answered = false;
  const refetched = page.waitForResponse((r) => answered && r.request().method() === "GET" && new URL(r.url()).pathname === item, { timeout: 30_000 });
  refetched.catch(() => {}); // only awaited after a 412
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) => {
        const hit = r.request().method() === "POST" && new URL(r.url()).pathname === `${item}/${action}`;
        if (hit) answered = true;
        return hit;
      },
      { timeout: 30_000 },
    ),
    dialog.getByTestId("action-submit").click(),
  ]);
  return { response, refetched };
}

async function act(page, action, { note, rating } = {}) {
  const button = page.locator(`[data-testid="action-bar"] [data-action="${action}"]`);
  try {
    await button.waitFor();
  } catch (err) {
    await screenshot(page, `failed-${action}`);
    throw err;
  }
  await button.click();
  const dialog = page.locator(".ant-modal-wrap:not([style*='display: none']) .ant-modal");
  await opened(page, dialog);
  if (rating) await rate(page, dialog, rating);
  if (note) await dialog.getByTestId("action-note").fill(note);
  try {
    let { response, refetched } = await submitAction(page, dialog, action);
    if (response.status() === 412) {
      // A stale ETag: the page reloads the item; submit again as a person would, once it has.
      console.log(`# note: ${action} hit a stale ETag (412) and was resubmitted`);
      await refetched;
      await dialog.getByText("已被他人更新").first().waitFor();
      ({ response } = await submitAction(page, dialog, action));
    }
    assert.ok(response.ok(), `${action}: POST answered ${response.status()}`);
    await dialog.waitFor({ state: "hidden" });
  } catch (err) {
    await screenshot(page, `failed-${action}`);
    const text = (await dialog.isVisible()) ? await dialog.innerText() : "(closed)";
    throw new Error(`${action}: the dialog did not close: ${text}`, { cause: err });
  }
}

/** The answer to a POST to `path`; fails unless it is a success. */
async function posted(page, path) {
  const r = await page.waitForResponse((res) => res.request().method() === "POST" && new URL(res.url()).pathname === path, { timeout: 30_000 });
  assert.ok(r.ok(), `POST ${path} answered ${r.status()}`);
  return r;
}

/** Open a list page and wait until the list has its answer from the API on screen. */
async function openList(page, path, apiPath, testId) {
  const answer = page.waitForResponse((r) => r.request().method() === "GET" && new URL(r.url()).pathname === apiPath && r.ok(), { timeout: 30_000 });
  await page.goto(`${BASE_URL}${path}`);
  await answer;
  await page.locator(`[data-testid="${testId}"][data-loading="false"]`).waitFor();
}

async function statusOf(page, testId) {
  return page.getByTestId(testId).getAttribute("data-status");
}

async function waitStatus(page, testId, status) {
  await page.waitForFunction(([id, s]) => document.querySelector(`[data-testid="${id}"]`)?.getAttribute("data-status") === s, [testId, status]);
}

describe("d. language switch", () => {
  it("switches every label on the login page and in the app, and back", async () => {
    const page = await newPage(browser, DESKTOP);
    await page.goto(`${BASE_URL}/login`);
    await page.getByRole("heading", { name: "登录" }).waitFor();
    await page.getByTestId("language-switch").click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assert.equal(await page.locator("html").getAttribute("lang"), "en");
    await page.getByTestId("language-switch").click();
    await page.getByRole("heading", { name: "登录" }).waitFor();

    await login(page, "county.leader");
    await page.locator("h1", { hasText: "工作台" }).waitFor();
    const labels = async () =>
      page.evaluate(() => {
        const sel = "nav a, nav button, h1, th, label, .ant-card-head-title, .ant-statistic-title, .ant-tag, button:not([data-testid=user-menu]), [placeholder]";
        return [...document.querySelectorAll(sel)]
          .map((el) => (el.getAttribute("placeholder") ?? "") + " " + (el.textContent ?? ""))
          .map((s) => s.trim())
          .filter(Boolean);
      });
    const zh = await labels();
    assert.ok(zh.some((s) => s.includes("交办任务")), "Chinese navigation is shown by default");
    await page.getByTestId("language-switch").click();
    await page.locator("h1", { hasText: "Workbench" }).waitFor();
    const en = await labels();
    const leftovers = en.filter((s) => /[\u3400-\u9fff]/.test(s) && !s.includes("中文"));
    assert.deepEqual(leftovers, [], `labels still in Chinese after switching: ${leftovers.join(" | ")}`);
    assert.ok(en.some((s) => s.includes("Tasks")));
    await page.goto(`${BASE_URL}/orgs`);
    await page.locator("h1", { hasText: "Organisation" }).waitFor();
    await page.reload();
    await page.locator("h1", { hasText: "Organisation" }).waitFor(); // the choice survives a reload (and the session too, via the refresh cookie)
    await page.getByTestId("language-switch").click();
    await page.locator("h1", { hasText: "组织架构" }).waitFor();
    assert.deepEqual(page.jsErrors, []);
    await page.context().close();
  });
});

describe("e. an admin creates a user and grants a role", () => {
  it("county.admin creates a user, grants officer at 永昌街道; the user sees only that scope", async () => {
    const username = `e2e.officer.${stamp}`;
    const page = await newPage(browser, DESKTOP);
    await login(page, "county.admin");
    await page.goto(`${BASE_URL}/admin`);
    await page.getByRole("tab", { name: "用户" }).click();
    await page.getByTestId("new-user").click();
    const userForm = page.getByTestId("user-form");
    await opened(page, page.locator(".ant-modal", { has: userForm }));
    await userForm.locator("#username").fill(username);
    await userForm.locator("#display_name").fill("端到端测试干部");
    await userForm.locator("#password").fill("e2e-password-123");
    await Promise.all([posted(page, "/api/v1/users"), page.getByTestId("user-form-submit").click()]);
    await page.getByTestId("user-list").getByText(username).waitFor();

    await page.getByRole("tab", { name: "授权" }).click();
    await page.getByTestId("new-grant").click();
    const grantForm = page.getByTestId("grant-form");
    await opened(page, page.locator(".ant-modal", { has: grantForm }));
    await pickSelectOption(page, grantForm.locator(".ant-form-item").nth(0), username, username);
    await pickTreeOption(page, grantForm.locator(".ant-form-item").nth(1), "永昌", "永昌街道");
    await pickSelectOption(page, grantForm.locator(".ant-form-item").nth(2), "", "干部");
    await Promise.all([posted(page, "/api/v1/grants"), page.getByTestId("grant-form-submit").click()]);
    await page.getByTestId("grant-list").getByText(username).first().waitFor();
    await page.context().close();

    const user = await newPage(browser, DESKTOP);
    await login(user, username, { password: "e2e-password-123" });
    await user.goto(`${BASE_URL}/orgs`);
    await user.getByTestId("org-tree").waitFor();
    await user.locator('[data-org-name="永昌街道"]').waitFor();
    const names = await user.locator("[data-org-name]").evaluateAll((els) => els.map((e) => e.getAttribute("data-org-name")));
    assert.ok(names.includes("永昌街道"));
    assert.ok(!names.includes("翠屏街道"), `the street officer must not see 翠屏街道: ${names}`);
    assert.ok(!names.includes("兰坪白族普米族自治县"), "nor the county above");
    await user.context().close();
  });
});

describe("c. scope: a sibling community", () => {
  it("community2.officer's organisation tree holds its own community only", async () => {
    const page = await newPage(browser, PHONE);
    await login(page, "community2.officer");
    await page.goto(`${BASE_URL}/orgs`);
    await page.getByTestId("org-tree").waitFor();
    const names = await page.locator("[data-org-name]").evaluateAll((els) => els.map((e) => e.getAttribute("data-org-name")));
    assert.deepEqual(names, ["和谐社区"]);
    await page.context().close();
  });
});

describe("a. an issue climbs the chain (phone)", () => {
  it("community.officer reports and passes it to the street; street.leader escalates; county.leader resolves; community.officer closes with a rating", async (t) => {
    if (!workItems) return t.skip(PENDING);
    const reporter = await newPage(browser, PHONE);
    await login(reporter, "community.officer");
    await reporter.getByTestId("bottom-bar").getByText("上报问题").click();
    const form = reporter.getByTestId("issue-form");
    await form.locator('label:has([data-category="power"])').click();
    await form.locator('label:has([data-severity="high"])').click();
    await form.locator("#title").fill(shared.issueTitle);
    await form.locator("#description").fill("永兴社区电子厂房变压器容量不足，需要增容。");
    await assertNoHorizontalScroll(reporter, "issue report form");
    await reporter.getByTestId("issue-submit").click();
    await reporter.waitForURL(/\/issues\/(?!new)[^/]+$/);
    shared.issueId = reporter.url().split("/").pop();
    assert.equal(await statusOf(reporter, "issue-detail"), "open");
    // The reporter adds a detail through the edit form (a full-screen drawer on a phone; PATCH with If-Match).
    await reporter.locator('[data-testid="action-bar"] [data-action="edit"]').click();
    const editor = reporter.getByTestId("edit-form");
    await editor.locator("#description").waitFor();
    await settle(reporter);
    await editor.locator("#description").fill("永兴社区电子厂房变压器容量不足，需要增容。现场已停工半天。");
    await screenshot(reporter, "issue-edit");
    await axeCheck(reporter, "issue-edit");
    await assertNoHorizontalScroll(reporter, "issue edit form");
    await reporter.getByTestId("edit-save").click();
    await editor.waitFor({ state: "hidden" });
    await reporter.getByText("现场已停工半天").first().waitFor();
    // The community cannot solve it and passes it up to its street.
    await act(reporter, "escalate", { note: "社区无法协调供电，请街道协调。" });
    await reporter.getByTestId("escalation-path").locator(".ant-steps-item").nth(1).waitFor();

    const street = await newPage(browser, PHONE);
    await login(street, "street.leader");
    await street.goto(`${BASE_URL}/issues/${shared.issueId}`);
    await act(street, "acknowledge", { note: "已受理" });
    await act(street, "escalate", { note: "需县里协调供电局增容。" });
    await street.getByTestId("escalation-path").locator(".ant-steps-item").nth(2).waitFor();
    await street.context().close();

    const county = await newPage(browser, PHONE);
    await login(county, "county.leader");
    await county.goto(`${BASE_URL}/issues/${shared.issueId}`);
    await act(county, "resolve", { note: "供电局已完成增容。" });
    await waitStatus(county, "issue-detail", "resolved");
    await county.context().close();

    await reporter.goto(`${BASE_URL}/issues/${shared.issueId}`);
    await act(reporter, "close", { rating: 5, note: "满意" });
    await waitStatus(reporter, "issue-detail", "closed");
    await reporter.reload();
    await reporter.getByTestId("timeline").waitFor();
    const verbs = await reporter.locator("[data-testid=timeline-event]").evaluateAll((els) => els.map((e) => e.getAttribute("data-verb")));
    for (const v of ["escalate", "resolve", "close"]) assert.ok(verbs.includes(v), `timeline shows ${v}: ${verbs}`);
    await assertNoHorizontalScroll(reporter, "issue detail");
    await screenshot(reporter, "issue-detail-closed");
    await axeCheck(reporter, "issue-detail");
    await reporter.context().close();
  });
});

describe("b. a task goes down the chain", () => {
  it("taskforce.leader assigns to a community; community.officer accepts and submits; taskforce.leader verifies", async (t) => {
    if (!workItems) return t.skip(PENDING);
    if (!assignable) return t.skip(PENDING_ASSIGNABLE);
    const issuer = await newPage(browser, DESKTOP);
    await login(issuer, "taskforce.leader");
    await issuer.goto(`${BASE_URL}/tasks/new`);
    const form = issuer.getByTestId("task-form");
    await pickTreeOption(issuer, form.locator(".ant-form-item").nth(1), "永兴", "永兴社区");
    await form.locator("#title").fill(shared.taskTitle);
    await form.locator("#description").fill("入户动员搬迁群众报名电子厂岗位。");
    await issuer.getByTestId("task-submit").click();
    await issuer.waitForURL(/\/tasks\/(?!new)[^/]+$/);
    shared.taskId = issuer.url().split("/").pop();
    await screenshot(issuer, "task-detail-issued");
    // The issuer raises its urgency through the edit form (a drawer on a desk).
    await issuer.locator('[data-testid="action-bar"] [data-action="edit"]').click();
    const editor = issuer.getByTestId("edit-form");
    await editor.waitFor();
    await settle(issuer);
    await editor.locator('label.ant-radio-button-wrapper', { hasText: "紧急" }).click();
    await screenshot(issuer, "task-edit");
    await axeCheck(issuer, "task-edit");
    await issuer.getByTestId("edit-save").click();
    await editor.waitFor({ state: "hidden" });
    await issuer.getByTestId("task-detail").getByText("紧急").first().waitFor();

    const doer = await newPage(browser, PHONE);
    await login(doer, "community.officer");
    await doer.goto(`${BASE_URL}/tasks/${shared.taskId}`);
    await act(doer, "accept", { note: "收到" });
    await waitStatus(doer, "task-detail", "accepted");
    if (await doer.locator('[data-action="start"]').count()) {
      await act(doer, "start");
      await waitStatus(doer, "task-detail", "in_progress");
    }
    await act(doer, "submit", { note: "已入户动员 52 户，报名 31 人。" });
    await waitStatus(doer, "task-detail", "submitted");
    await assertNoHorizontalScroll(doer, "task detail");
    await doer.context().close();

    // The submission waits for verification: the issuer is told, and it is in the issuer's to-do.
    await issuer.goto(`${BASE_URL}/notifications`);
    await issuer.getByText(new RegExp(`任务已提交，待验收.*${stamp}`)).first().waitFor();
    await issuer.goto(`${BASE_URL}/`);
    await issuer.getByTestId("workbench-todo").getByText(shared.taskTitle).first().waitFor();
    await issuer.goto(`${BASE_URL}/tasks/${shared.taskId}`);
    await act(issuer, "verify", { note: "验收通过" });
    await waitStatus(issuer, "task-detail", "done");
    await issuer.getByRole("tab", { name: "反馈" }).click();
    await issuer.getByTestId("feedback-thread").getByText("已入户动员 52 户").waitFor();
    await issuer.context().close();
  });
});

describe("f. the workbench's counts equal the lists they open", () => {
  for (const username of ["taskforce.leader", "community.officer", "street.leader"]) {
    it(`${username}: every count is the length of the list its tile opens`, async (t) => {
      if (!workItems) return t.skip(PENDING);
      const page = await newPage(browser, DESKTOP);
      await login(page, username);
      const todo = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/me/todo" && r.ok(), { timeout: 30_000 });
      await page.goto(`${BASE_URL}/`);
      await todo;
      const tiles = page.locator('[data-testid^="todo-count-"]');
      await tiles.first().waitFor();
      const found = [];
      for (let i = 0; i < (await tiles.count()); i++) {
        const tile = tiles.nth(i);
        const kind = await tile.getAttribute("data-kind");
        // A tile is its list's link; the chasing ladder's kinds link to both lists, and count both.
        const own = await tile.getAttribute("href");
        const inner = tile.locator(`[data-testid^="todo-link-${kind}-"]`);
        const hrefs = own ? [own] : await inner.evaluateAll((links) => links.map((a) => a.getAttribute("href")));
        found.push({ kind, count: Number(await tile.getAttribute("data-count")), hrefs });
      }
      assert.ok(found.length >= 9, "a tile per kind");
      assert.ok(found.some((f) => f.count > 0), `${username} has something to do`);
      await screenshot(page, `workbench-${username}`);
      for (const { kind, count, hrefs } of found) {
        assert.ok(hrefs.length > 0, `${kind}: a link to its list`);
        let listed = 0;
        for (const href of hrefs) {
          const apiPath = href.startsWith("/tasks") ? "/api/v1/tasks" : "/api/v1/issues";
          const answer = page.waitForResponse((r) => {
            const url = new URL(r.url());
            return url.pathname === apiPath && url.searchParams.get("todo") === kind && r.ok();
          }, { timeout: 30_000 });
          await page.goto(`${BASE_URL}${href}`);
          const body = await (await answer).json();
          assert.equal(body.next_cursor, null, `${kind}: one page`);
          listed += body.items.length;
          const list = href.startsWith("/tasks") ? "task-list" : "issue-list";
          await page.locator(`[data-testid="${list}"][data-loading="false"]`).waitFor();
        }
        assert.equal(listed, count, `${username} ${kind}: the tile says ${count}`);
      }
      await page.context().close();
    });
  }
});

describe("g. the county issues a 督办单 on a task waiting for it", () => {
  it("county.leader opens its supervise to-do, issues the 督办单 in working days, and the task leaves it", async (t) => {
    if (!workItems) return t.skip(PENDING);
    const page = await newPage(browser, DESKTOP);
    await login(page, "county.leader");
    const waiting = async () => {
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/v1/tasks" && new URL(r.url()).searchParams.get("todo") === "supervise" && r.ok(), { timeout: 30_000 });
      await page.goto(`${BASE_URL}/tasks?todo=supervise`);
      const body = await (await answer).json();
      await page.locator('[data-testid="task-list"][data-loading="false"]').waitFor();
      return body.items;
    };
    const before = await waiting();
    assert.ok(before.length > 0, "the demo has a task waiting on the county's 督办单");
    await page.goto(`${BASE_URL}/tasks/${before[0].id}`);
    await page.locator('[data-testid="action-bar"] [data-action="supervise"]').click();
    const dialog = page.locator(".ant-modal-wrap:not([style*='display: none']) .ant-modal");
    await opened(page, dialog);
    await dialog.getByTestId("due-mode").getByText("N个工作日").click();
    await dialog.getByTestId("due-working-days").fill("5");
    await dialog.getByTestId("action-note").fill("限期五个工作日办结，每日报送进度。");
    await screenshot(page, "supervise-dialog");
    const { response } = await submitAction(page, dialog, "supervise");
    assert.ok(response.ok(), `supervise: POST answered ${response.status()}`);
    await dialog.waitFor({ state: "hidden" });
    const after = await waiting();
    assert.equal(after.length, before.length - 1);
    assert.ok(!after.some((i) => i.id === before[0].id), "the supervised task left the to-do");
    await page.context().close();
  });
});

describe("c. scope: a sibling community cannot see the items", () => {
  it("community2.officer gets 'not found' for both items and the lists do not hold them", async (t) => {
    if (!workItems) return t.skip(PENDING);
    assert.ok(shared.issueId, "story a ran first");
    const page = await newPage(browser, DESKTOP);
    await login(page, "community2.officer");
    const paths = [`/issues/${shared.issueId}`];
    if (shared.taskId) paths.push(`/tasks/${shared.taskId}`);
    else console.log("# note: story b did not run, so only the issue is checked");
    for (const path of paths) {
      await page.goto(`${BASE_URL}${path}`);
      await page.getByTestId("not-found").waitFor();
    }
    await openList(page, "/issues?q=E2E", "/api/v1/issues", "issue-list");
    assert.equal(await page.getByText(shared.issueTitle).count(), 0);
    await openList(page, "/tasks?q=E2E", "/api/v1/tasks", "task-list");
    assert.equal(await page.getByText(shared.taskTitle).count(), 0);
    await page.context().close();
  });
});

const PAGES = [
  { name: "workbench", path: "/", h1: "工作台" },
  { name: "tasks", path: "/tasks", h1: "交办任务" },
  { name: "task-new", path: "/tasks/new", h1: "新建交办任务" },
  { name: "issues", path: "/issues", h1: "问题堵点" },
  { name: "issue-report", path: "/issues/new", h1: "上报问题" },
  { name: "orgs", path: "/orgs", h1: "组织架构" },
  { name: "dashboard", path: "/dashboard", h1: "数据看板" },
  { name: "notifications", path: "/notifications", h1: "消息通知" },
];

describe("every main page: screenshots, axe, no horizontal scroll on phones", () => {
  for (const viewport of [DESKTOP, PHONE]) {
    it(`at ${viewport.width}x${viewport.height}`, async () => {
      const anon = await newPage(browser, viewport);
      await anon.goto(`${BASE_URL}/login`);
      await anon.getByTestId("login-submit").waitFor();
      await screenshot(anon, "login");
      await axeCheck(anon, "login");
      await anon.context().close();

      const page = await newPage(browser, viewport);
      await login(page, "county.leader");
      for (const p of PAGES) {
        await page.goto(`${BASE_URL}${p.path}`);
        await page.locator("h1", { hasText: p.h1 }).first().waitFor();
        await page.waitForLoadState("networkidle");
        await screenshot(page, p.name);
        await axeCheck(page, p.name);
        if (viewport === PHONE) {
          await assertNoHorizontalScroll(page, p.name);
          await page.getByTestId("bottom-bar").waitFor();
        }
      }
      assert.deepEqual(page.jsErrors, []);
      await page.context().close();

      const admin = await newPage(browser, viewport);
      await login(admin, "county.admin");
      await admin.goto(`${BASE_URL}/admin`);
      await admin.locator("h1", { hasText: "系统管理" }).waitFor();
      await admin.waitForLoadState("networkidle");
      await screenshot(admin, "admin");
      await axeCheck(admin, "admin");
      if (viewport === PHONE) await assertNoHorizontalScroll(admin, "admin");
      await admin.context().close();
    });
  }
});

describe("a phone has a bottom bar and a drawer", () => {
  it("navigates with the bottom bar and opens the drawer", async () => {
    const page = await newPage(browser, PHONE);
    await login(page, "street.officer");
    await page.getByTestId("bottom-bar").getByText("问题堵点").click();
    await page.locator("h1", { hasText: "问题堵点" }).waitFor();
    await page.getByTestId("nav-drawer-button").click();
    await page.locator(".ant-drawer-body").waitFor();
    await settle(page);
    await page.locator(".ant-drawer-body").getByText("组织架构").click();
    await page.locator("h1", { hasText: "组织架构" }).waitFor();
    assert.ok(HAN.test(await page.locator("h1").first().innerText()));
    await page.context().close();
  });
});
