// Shared helpers for the browser suite: Debian's Chromium driven by playwright-core.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
export const SCREENSHOTS = process.env.SCREENSHOT_DIR ?? path.join(here, "screenshots");
export const BASE_URL = (process.env.BASE_URL ?? "").replace(/\/$/, "");
export const CHROME_PATH = process.env.CHROME_PATH ?? "/usr/bin/chromium";
export const PASSWORD = process.env.DEMO_PASSWORD ?? "liandong-demo";
export const DESKTOP = { width: 1440, height: 900 };
export const PHONE = { width: 390, height: 844 };

export function preflight() {
  if (!BASE_URL) {
    throw new Error("e2e: BASE_URL is not set. Start the server (e.g. `make e2e` does) and run with BASE_URL=http://127.0.0.1:PORT");
  }
  if (!existsSync(CHROME_PATH)) {
    throw new Error(
      `e2e: no Chromium at ${CHROME_PATH}. Install Debian's browser with \`apt-get install -y chromium\` ` +
        "or point CHROME_PATH at a Chromium/Chrome binary. (Browser downloads via playwright are not used.)",
    );
  }
}

export async function launch() {
  preflight();
  return chromium.launch({
    executablePath: CHROME_PATH,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

/** A fresh context (own cookies) at a viewport; phones get touch and a phone user agent. */
export async function newPage(browser, viewport = DESKTOP, lang = "zh-CN") {
  const phone = viewport.width < 768;
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: lang,
    // The SPA turns antd's motion off for reduced motion, so a toast is either on screen or gone,
    // never half-faded while axe measures its contrast.
    reducedMotion: "reduce",
    userAgent: phone
      ? "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile Safari/537.36"
      : undefined,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.jsErrors = errors;
  return page;
}

export async function login(page, username, { password = PASSWORD } = {}) {
  await page.goto(`${BASE_URL}/login`);
  await page.locator("#username").fill(username);
  await page.locator("#password").fill(password);
  await page.getByTestId("login-submit").click();
  await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 20_000 });
  await page.locator("main").first().waitFor();
}

export async function signOutViaStorage(page) {
  await page.context().clearCookies();
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const vp = page.viewportSize();
  const file = path.join(SCREENSHOTS, `${name}-${vp.width}x${vp.height}.png`);
  await settle(page);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Wait until the page is at rest: no finite CSS animation or transition still running
 * (modal zoom, drawer slide, dropdown motion) and no loading spinner or skeleton on screen.
 * Waits on state, never on time.
 */
export async function settle(page) {
  await page.waitForFunction(() => {
    const busy = document.querySelector(".ant-spin-spinning, .ant-skeleton-active, .ant-btn-loading");
    if (busy && busy.getClientRects().length) return false;
    return document.getAnimations().every((a) => {
      if (a.playState !== "running") return true;
      const timing = a.effect?.getComputedTiming();
      return !timing || timing.iterations === Infinity || timing.endTime === Infinity;
    });
  });
}

const axePath = require.resolve("axe-core/axe.min.js");

/** axe-core on the current page; fails on serious or critical violations. */
export async function axeCheck(page, name) {
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  mkdirSync(SCREENSHOTS, { recursive: true });
  const vp = page.viewportSize();
  writeFileSync(path.join(SCREENSHOTS, `${name}-${vp.width}x${vp.height}.axe.json`), JSON.stringify(result, null, 1));
  if (bad.length) {
    throw new Error(`axe: ${bad.length} serious/critical violation(s) on ${name}:\n` + bad.map((v) => `  [${v.impact}] ${v.id}: ${v.help} at ${v.nodes.join(", ")}`).join("\n"));
  }
  return result;
}

/** No horizontal scrolling on phones. */
export async function assertNoHorizontalScroll(page, name) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  if (scroll > client + 1) throw new Error(`${name}: horizontal scroll at ${client}px (content is ${scroll}px wide)`);
}

/** JSON from the API with a bearer token (used for setup checks only, never to skip UI steps). */
export async function apiToken(username) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username, password: PASSWORD }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return (await res.json()).access_token;
}

/** Whether the backend serves the work-item routes yet (tasks, issues). */
export async function hasWorkItems() {
  const token = await apiToken("county.leader");
  const res = await fetch(`${BASE_URL}/api/v1/tasks?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  const res2 = await fetch(`${BASE_URL}/api/v1/issues?limit=1`, { headers: { Authorization: `Bearer ${token}` } });
  return res.status === 200 && res2.status === 200;
}

export const HAN = /[\u3400-\u9fff]/;

/** Whether GET /tasks/assignable-units offers a task force the communities of its county (needed by story b). */
export async function hasAssignableOrgs() {
  const token = await apiToken("taskforce.leader");
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const me = await (await fetch(`${BASE_URL}/api/v1/me`, auth)).json();
  const issuer = me.grants[0]?.org_id;
  const res = await fetch(`${BASE_URL}/api/v1/tasks/assignable-units?issuer_org_id=${issuer}&limit=200`, auth);
  if (!res.ok) return false;
  const page = await res.json();
  return page.items.some((o) => o.kind === "community");
}
