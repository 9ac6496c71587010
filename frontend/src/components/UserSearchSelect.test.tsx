import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Form } from "antd";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { __resetForTests } from "../auth/session";
import i18n from "../i18n";
import { json, mockFetch, renderWithProviders } from "../test/utils";
import { UserSearchSelect } from "./UserSearchSelect";

beforeEach(async () => {
  __resetForTests();
  await i18n.changeLanguage("zh-CN");
});
afterEach(() => vi.unstubAllGlobals());

const user = (n: number, name: string) => ({
  id: `u${n}`,
  username: `user.${n}`,
  display_name: name,
  is_active: true,
  created_at: "2030-01-01T00:00:00Z",
});

// 250 users in scope; the server filters by q on username or display name.
const ALL = Array.from({ length: 250 }, (_, i) => user(i, i === 231 ? "李新干部" : `干部${i}`));

function routes() {
  return mockFetch({
    "POST /api/v1/auth/refresh": () => json({ status: 401 }, 401),
    "GET /api/v1/users": (c) => {
      const q = c.url.searchParams.get("q") ?? "";
      const limit = Number(c.url.searchParams.get("limit") ?? 50);
      const hits = ALL.filter((u) => u.username.includes(q) || u.display_name.includes(q));
      return json({ items: hits.slice(0, limit), next_cursor: hits.length > limit ? "next" : null });
    },
  });
}

function Picker({ onPick }: { onPick: (v: unknown) => void }) {
  const [form] = Form.useForm();
  return (
    <Form form={form} onValuesChange={(_, all) => onPick(all.user_id)}>
      <Form.Item name="user_id" label="用户">
        <UserSearchSelect data-testid="grant-user" />
      </Form.Item>
    </Form>
  );
}

const searches = (calls: { method: string; url: URL }[]) =>
  calls.filter((c) => c.method === "GET" && c.url.pathname === "/api/v1/users").map((c) => c.url.searchParams.get("q"));

describe("UserSearchSelect", () => {
  it("asks nothing until opened, then searches the server once the typing settles, and finds users beyond the first page", async () => {
    const { calls } = routes();
    const onPick = vi.fn();
    const u = userEvent.setup();
    renderWithProviders(<Picker onPick={onPick} />);
    await new Promise((r) => setTimeout(r, 50));
    expect(searches(calls)).toEqual([]);

    const box = screen.getByRole("combobox");
    await u.click(box);
    await waitFor(() => expect(searches(calls)).toEqual([null]));
    expect(calls.find((c) => c.url.pathname === "/api/v1/users")!.url.searchParams.get("limit")).toBe("20");
    expect(await screen.findByText("干部0 (user.0)")).toBeInTheDocument();
    expect(screen.getByText(/只显示前 20 个结果/)).toBeInTheDocument();

    await u.type(box, "李新");
    expect(await screen.findByText("李新干部 (user.231)")).toBeInTheDocument();
    // One request for the settled text, none for the half-typed "李".
    expect(searches(calls)).toEqual([null, "李新"]);

    await u.click(screen.getByText("李新干部 (user.231)"));
    expect(onPick).toHaveBeenLastCalledWith("u231");
  });

  it("says so when nobody matches", async () => {
    routes();
    const u = userEvent.setup();
    renderWithProviders(<Picker onPick={() => undefined} />);
    const box = screen.getByRole("combobox");
    await u.click(box);
    await u.type(box, "nobody-like-this");
    expect(await screen.findByText("没有找到匹配的用户")).toBeInTheDocument();
  });
});
