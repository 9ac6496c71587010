import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { App as AntApp, ConfigProvider } from "antd";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";
import { AuthProvider } from "../auth/AuthProvider";
import "../i18n";
import type { Me, MeGrant, Perm, Role } from "../api/client";
import type { Issue, Task } from "../api/workitems";

export interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });
}

/** Replace fetch with a router over "METHOD /path" keys; records every call. */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost:3000"), init);
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* form bodies stay text */
    }
    const call = { method: req.method, url, headers: req.headers, body };
    calls.push(call);
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) return json({ title: "Not Found", status: 404, detail: "No such resource." }, 404);
    return handler(call);
  });
  vi.stubGlobal("fetch", fn);
  return { calls, fn };
}

/** What each demo role allows, as GET /me reports it per grant (the backend's role table). */
export const PERMISSIONS = {
  admin: ["org.read", "task.read", "issue.read", "stats.read", "org.manage", "user.read", "user.manage", "grant.read", "grant.manage", "audit.read", "calendar.manage", "chasing.manage"],
  leader: ["org.read", "task.read", "issue.read", "stats.read", "task.create", "task.work", "issue.create", "issue.work", "issue.confirm", "feedback.create", "task.decide", "issue.decide", "chasing.supervise", "audit.read"],
  officer: ["org.read", "task.read", "issue.read", "stats.read", "task.create", "task.work", "issue.create", "issue.work", "issue.confirm", "feedback.create"],
  observer: ["org.read", "task.read", "issue.read", "stats.read"],
  liaison: ["org.read", "task.read", "issue.read", "stats.read", "issue.create", "issue.confirm", "feedback.create"],
} satisfies Record<Role, Perm[]>;

/** A grant as GET /me returns it; its permissions are the role's unless a test says otherwise. */
export function grantFixture(over: Partial<MeGrant> & { role: Role }): MeGrant {
  return { id: `g-${over.role}`, org_id: "o-com", org_name: "永兴社区", org_kind: "community", permissions: PERMISSIONS[over.role], ...over };
}

export const ME: Me = {
  id: "u1",
  username: "community.officer",
  display_name: "社区网格员",
  demo_mode: true,
  grants: [grantFixture({ id: "g1", role: "officer" })],
};

export function renderWithProviders(ui: ReactNode, { route = "/" }: { route?: string } = {}) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return {
    qc,
    ...render(
      <QueryClientProvider client={qc}>
        <ConfigProvider>
          <AntApp>
            <MemoryRouter initialEntries={[route]}>
              <AuthProvider>{ui}</AuthProvider>
            </MemoryRouter>
          </AntApp>
        </ConfigProvider>
      </QueryClientProvider>,
    ),
  };
}

/** A task as GET /tasks/{id} returns it; override what a test cares about. */
export function taskFixture(over: Partial<Task> = {}): Task {
  return {
    id: "t1",
    title: "招工动员",
    description: "入户动员",
    issuer_org_id: "o-tf",
    issuer_org_name: "县产业就业工作专班",
    issuer_tier: "county",
    assignee_org_id: "o-com",
    assignee_org_name: "永兴社区",
    assignee_tier: "community",
    responsible_user_id: null,
    due_at: "2030-01-10T10:00:00+00:00",
    priority: "normal",
    source: "dispatch",
    status: "issued",
    returned_by: null,
    progress: 0,
    parent_id: null,
    subtasks: { total: 0, done: 0 },
    extension: null,
    overdue: false,
    due_soon: false,
    accept_due_at: null,
    acceptance_overdue: false,
    colour: "green",
    created_by: null,
    submitted_by: null,
    created_at: "2030-01-01T10:00:00+00:00",
    updated_at: "2030-01-01T10:00:00+00:00",
    accepted_at: null,
    submitted_at: null,
    completed_at: null,
    cancelled_at: null,
    version: 3,
    allowed_actions: [],
    refused_actions: [],
    can_edit: true,
    can_add_subtask: false,
    can_feedback: false,
    ...over,
  };
}

/** An issue as GET /issues/{id} returns it. */
export function issueFixture(over: Partial<Issue> = {}): Issue {
  return {
    id: "i1",
    title: "厂房用电不足",
    description: "变压器容量不足",
    category: "power",
    severity: "normal",
    status: "open",
    reporter_org_id: "o-com",
    reporter_org_name: "永兴社区",
    reporter_tier: "community",
    reporter_user_id: null,
    handler_org_id: "o-com",
    handler_org_name: "永兴社区",
    handler_tier: "community",
    resolved_tier: null,
    resolved_by_org_id: null,
    resolved_by_org_name: null,
    resolved_by_user_id: null,
    resolution: null,
    rating: null,
    due_at: "2030-01-10T10:00:00+00:00",
    overdue: false,
    due_soon: false,
    colour: "green",
    created_at: "2030-01-01T10:00:00+00:00",
    updated_at: "2030-01-01T10:00:00+00:00",
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    reopen_until: null,
    version: 2,
    allowed_actions: [],
    refused_actions: [],
    can_edit: true,
    can_feedback: false,
    ...over,
  };
}
