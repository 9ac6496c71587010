import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { ME, grantFixture, json, mockFetch, renderWithProviders, type Call } from "../test/utils";
import { ChasingPolicyForm } from "./ChasingPolicyForm";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const POLICY = {
  root_org_id: "o-root",
  root_org_name: "怒江州",
  reminder_days_before: 1,
  notice_days_after: 1,
  circular_days_after: 3,
  supervision_days_after: 5,
  is_default: true,
  updated_at: null,
  updated_by: null,
};
const tree = (id: string, name: string, parent: string | null) => ({ id, name, kind: "prefecture", tier: "prefecture", parent_id: parent, code: null, children: [] });

function signedInAs(grant: { org_id: string; org_name: string; parent: string | null }, put?: (c: Call) => Response) {
  return mockFetch({
    "POST /api/v1/auth/refresh": () => json({ access_token: "A1", token_type: "bearer", expires_in: 900 }),
    "GET /api/v1/me": () => json({ ...ME, grants: [grantFixture({ id: "g1", role: "admin", org_id: grant.org_id, org_name: grant.org_name, org_kind: "prefecture" })] }),
    [`GET /api/v1/orgs/${grant.org_id}/tree`]: () => json(tree(grant.org_id, grant.org_name, grant.parent)),
    "GET /api/v1/chasing-policy": () => json(POLICY),
    ...(put ? { "PUT /api/v1/chasing-policy": put } : {}),
  });
}

describe("the chasing-policy form", () => {
  it("lets a root unit's admin set the ladder, checked as the API checks it", async () => {
    const { calls } = signedInAs({ org_id: "o-root", org_name: "怒江州", parent: null }, (c) => json({ ...POLICY, ...(c.body as object), is_default: false }));
    const user = userEvent.setup();
    renderWithProviders(<ChasingPolicyForm />);
    expect(await screen.findByText("当前使用默认规则")).toBeInTheDocument();
    const circular = screen.getByTestId("chasing-circular_days_after");
    await waitFor(() => expect(circular).toHaveValue("3"));
    // Asked once, for the root the admin holds.
    expect(calls.filter((c) => c.url.pathname === "/api/v1/chasing-policy").map((c) => c.url.searchParams.get("root_org_id"))).toEqual(["o-root"]);
    await user.click(await screen.findByTestId("chasing-save"));
    await user.clear(circular);
    await user.type(circular, "1");
    await user.click(screen.getByTestId("chasing-save"));
    // The circular must come after the chasing notice (as the API insists).
    expect(await screen.findByText(/须晚于催办通知/)).toBeInTheDocument();
    await user.clear(circular);
    await user.type(circular, "31");
    await user.click(screen.getByTestId("chasing-save"));
    expect(await screen.findByText("请输入0至30之间的整数")).toBeInTheDocument();
    await user.clear(circular);
    await user.type(circular, "2");
    await user.click(screen.getByTestId("chasing-save"));
    await waitFor(() => expect(calls.filter((c) => c.method === "PUT")).toHaveLength(2));
    const last = calls.filter((c) => c.method === "PUT").at(-1)!;
    expect(last.body).toEqual({ root_org_id: "o-root", reminder_days_before: 1, notice_days_after: 1, circular_days_after: 2, supervision_days_after: 5 });
  });

  it("shows the ladder read-only to an admin below the root", async () => {
    const { calls } = signedInAs({ org_id: "o-county", org_name: "兰坪县", parent: "o-root" });
    renderWithProviders(<ChasingPolicyForm />);
    expect(await screen.findByText("只有根单位的管理员可以修改催办规则。")).toBeInTheDocument();
    expect(screen.getByTestId("chasing-notice_days_after")).toBeDisabled();
    expect(screen.queryByTestId("chasing-save")).toBeNull();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });
});
