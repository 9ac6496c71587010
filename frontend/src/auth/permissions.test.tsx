import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Suspense, type ReactNode } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MeGrant } from "../api/client";
import { useNavItems } from "../components/AppShell";
import i18n from "../i18n";
import AdminPage from "../pages/AdminPage";
import { IssuesPage } from "../pages/IssuesPage";
import { TaskCreatePage } from "../pages/TaskCreatePage";
import { TasksPage } from "../pages/TasksPage";
import { grantFixture, json, mockFetch, renderWithProviders } from "../test/utils";
import { useAuth } from "./AuthProvider";
import { __resetForTests } from "./session";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const page = { items: [], next_cursor: null };

/** Signed in (the refresh cookie works) as a user holding GRANTS; every list is empty. */
function signedInWith(grants: MeGrant[]) {
  return mockFetch({
    "POST /api/v1/auth/refresh": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
    "GET /api/v1/me": () => json({ id: "u1", username: "someone", display_name: "某人", demo_mode: true, grants }),
    "GET /api/v1/tasks": () => json(page),
    "GET /api/v1/issues": () => json(page),
    "GET /api/v1/orgs": () => json(page),
    "GET /api/v1/users": () => json(page),
    "GET /api/v1/grants": () => json(page),
    "GET /api/v1/audit": () => json(page),
    "GET /api/v1/tasks/assignable-units": () => json(page),
    "GET /api/v1/orgs/o-com/tree": () => json({ id: "o-com", name: "永兴社区", kind: "community", tier: "community", parent_id: null, code: null, children: [] }),
  });
}

/** The signed-in name: once it shows, /me has answered and every decision below has been made. */
function Who({ children }: { children?: ReactNode }) {
  const { me } = useAuth();
  return (
    <>
      <p>{me ? `${me.display_name} 已登录` : "…"}</p>
      {me && children}
    </>
  );
}
const signedIn = () => screen.findByText("某人 已登录");

function Nav() {
  const items = useNavItems();
  return (
    <ul data-testid="nav">
      {items.map((i) => (
        <li key={i.key} data-key={i.key}>
          {i.label}
        </li>
      ))}
    </ul>
  );
}

async function navKeys(): Promise<string[]> {
  // The workbench entry is always there; the rest waits for /me.
  await waitFor(() => expect(screen.getByTestId("nav").querySelectorAll("li").length).toBeGreaterThan(6));
  return [...screen.getByTestId("nav").querySelectorAll("li")].map((li) => li.getAttribute("data-key") ?? "");
}

describe("what the menu offers follows the permissions /me gives each grant", () => {
  it("an officer may report a problem and has no administration", async () => {
    signedInWith([grantFixture({ role: "officer" })]);
    renderWithProviders(<Nav />);
    const keys = await navKeys();
    expect(keys).toContain("report");
    expect(keys).not.toContain("admin");
  });

  it("an admin sees the administration page and may not report a problem", async () => {
    signedInWith([grantFixture({ role: "admin" })]);
    renderWithProviders(<Nav />);
    const keys = await navKeys();
    expect(keys).toContain("admin");
    expect(keys).not.toContain("report");
  });

  it("decides by the permissions, not by the role's name", async () => {
    // A role the SPA has never heard of, or a known name whose permissions changed on the server.
    signedInWith([grantFixture({ role: "observer", permissions: ["task.read", "issue.read", "issue.create", "audit.read"] })]);
    renderWithProviders(<Nav />);
    const keys = await navKeys();
    expect(keys).toContain("report");
    expect(keys).toContain("admin");
  });
});

describe("the lists' create buttons", () => {
  it("a leader may issue tasks and report problems", async () => {
    signedInWith([grantFixture({ role: "leader" })]);
    renderWithProviders(<TasksPage />, { route: "/tasks" });
    expect(await screen.findByTestId("new-task")).toBeInTheDocument();
  });

  it("an officer whose grant lost task.create on the server gets no new-task button", async () => {
    signedInWith([grantFixture({ role: "officer", permissions: ["task.read", "issue.read"] })]);
    renderWithProviders(
      <Who>
        <TasksPage />
      </Who>,
      { route: "/tasks" },
    );
    await signedIn();
    expect(await screen.findByRole("heading", { name: "交办任务" })).toBeInTheDocument();
    expect(screen.queryByTestId("new-task")).toBeNull();
  });

  it("an enterprise liaison may report problems but not issue tasks", async () => {
    signedInWith([grantFixture({ role: "liaison", org_kind: "enterprise" })]);
    renderWithProviders(
      <Who>
        <IssuesPage />
        <TasksPage />
      </Who>,
      { route: "/issues" },
    );
    await signedIn();
    expect(screen.getByTestId("new-issue")).toBeInTheDocument();
    expect(screen.queryByTestId("new-task")).toBeNull();
  });

  it("a new task may be issued only in the name of a unit where I hold task.create", async () => {
    signedInWith([
      grantFixture({ id: "g1", role: "officer", org_id: "o-com", org_name: "永兴社区" }),
      grantFixture({ id: "g2", role: "observer", org_id: "o-county", org_name: "兰坪县", org_kind: "county" }),
      grantFixture({ id: "g3", role: "leader", org_id: "o-tf", org_name: "县产业就业工作专班", org_kind: "taskforce" }),
    ]);
    const user = userEvent.setup();
    renderWithProviders(
      <Who>
        <TaskCreatePage />
      </Who>,
      { route: "/tasks/new" },
    );
    await signedIn();
    await user.click(screen.getByLabelText("以哪个单位名义交办"));
    const options = await waitFor(() => {
      const found = [...document.querySelectorAll(".ant-select-item-option")].map((o) => o.getAttribute("title"));
      expect(found.length).toBeGreaterThan(0);
      return found;
    });
    expect(options).toEqual(["永兴社区 · 干部", "县产业就业工作专班 · 领导"]);
  });
});

describe("the administration page", () => {
  const renderAdmin = () =>
    renderWithProviders(
      <Suspense fallback={null}>
        <AdminPage />
      </Suspense>,
      { route: "/admin" },
    );
  const tabs = async () => {
    await screen.findByRole("heading", { name: "系统管理" });
    return screen.getAllByRole("tab").map((t) => t.textContent);
  };

  it("an admin gets every tab and may create users and grants", async () => {
    signedInWith([grantFixture({ role: "admin" })]);
    renderAdmin();
    expect(await tabs()).toEqual(["单位", "用户", "授权", "审计日志", "催办规则"]);
    expect(screen.getByTestId("new-unit")).toBeInTheDocument();
  });

  it("a leader, who may read the audit log and nothing else here, gets that tab alone", async () => {
    signedInWith([grantFixture({ role: "leader" })]);
    renderAdmin();
    expect(await tabs()).toEqual(["审计日志"]);
    expect(screen.queryByTestId("new-unit")).toBeNull();
  });

  it("an officer is told the page is not theirs", async () => {
    signedInWith([grantFixture({ role: "officer" })]);
    renderWithProviders(
      <Who>
        <AdminPage />
      </Who>,
      { route: "/admin" },
    );
    await signedIn();
    expect(screen.getByText("您的角色不含系统管理权限。")).toBeInTheDocument();
    expect(screen.queryByRole("tab")).toBeNull();
  });

  it("who may read grants but not manage them sees the list without the write buttons", async () => {
    signedInWith([grantFixture({ role: "observer", permissions: ["org.read", "grant.read", "user.read"] })]);
    renderAdmin();
    expect(await tabs()).toEqual(["用户", "授权"]);
    expect(screen.queryByTestId("new-user")).toBeNull();
    await userEvent.setup().click(screen.getAllByRole("tab")[1]!);
    await waitFor(() => expect(screen.getByTestId("grant-list")).toBeInTheDocument());
    expect(screen.queryByTestId("new-grant")).toBeNull();
  });
});
