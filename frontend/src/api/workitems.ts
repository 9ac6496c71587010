/**
 * Work items (tasks, issues, feedback, events, notifications, stats), typed by hand
 * from the contract in DESIGN.md and issue 3, because the backend does not publish
 * these routes yet. This is the ONE place to swap for generated types
 * (components["schemas"][...] from ./schema) once the routes are in openapi.json.
 */
import type { OrgKind, Tier } from "./client";
import { request } from "./http";

export type Page<T> = { items: T[]; next_cursor: string | null };

export const TASK_STATUSES = ["issued", "accepted", "in_progress", "submitted", "done", "returned", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_PRIORITIES = ["normal", "urgent"] as const;
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export const TASK_SOURCES = ["meeting", "dispatch", "policy", "issue", "inspection", "other"] as const;
export type TaskSource = (typeof TASK_SOURCES)[number];
export const TASK_ACTIONS = [
  "accept",
  "start",
  "progress",
  "submit",
  "verify",
  "return",
  "cancel",
  "request-extension",
  "approve-extension",
  "reject-extension",
] as const;
export type TaskAction = (typeof TASK_ACTIONS)[number];

export const ISSUE_STATUSES = ["open", "acknowledged", "resolved", "closed"] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
export const ISSUE_CATEGORIES = ["land", "power", "water", "construction", "labour", "materials", "policy", "funding", "other"] as const;
export type IssueCategory = (typeof ISSUE_CATEGORIES)[number];
export const ISSUE_SEVERITIES = ["low", "normal", "high", "critical"] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];
export const ISSUE_ACTIONS = ["acknowledge", "escalate", "delegate", "resolve", "close", "reopen"] as const;
export type IssueAction = (typeof ISSUE_ACTIONS)[number];
export const TIERS = ["prefecture", "county", "street", "community"] as const;

export const FEEDBACK_KINDS = ["progress", "completion", "review", "satisfaction", "comment"] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export interface Task {
  id: string;
  title: string;
  description: string;
  issuer_org_id: string;
  issuer_org_name: string;
  assignee_org_id: string;
  assignee_org_name: string;
  responsible_user_id: string | null;
  responsible_user_name?: string | null;
  due_at: string | null;
  priority: TaskPriority;
  source: TaskSource;
  status: TaskStatus;
  parent_id: string | null;
  project_id?: string | null;
  overdue: boolean;
  due_soon: boolean;
  version: number;
  /** Action names this caller may take now; the UI shows exactly these. May include "split" and "edit". */
  allowed_actions: string[];
  progress?: number | null;
  subtasks_total?: number;
  subtasks_done?: number;
  extension_due_at?: string | null;
  created_at?: string;
  updated_at?: string;
}

export interface TaskCreate {
  title: string;
  description: string;
  issuer_org_id: string;
  assignee_org_id: string;
  responsible_user_id?: string | null;
  due_at: string;
  priority: TaskPriority;
  source: TaskSource;
  parent_id?: string | null;
}

export interface TaskFilters {
  status?: TaskStatus[];
  parent_id?: string;
  within_org_id?: string;
  issuer_org_id?: string;
  assignee_org_id?: string;
  overdue?: boolean;
  due_soon?: boolean;
  due_before?: string;
  due_after?: string;
  priority?: TaskPriority;
  source?: TaskSource;
  q?: string;
  /** e.g. "due_at", "-due_at", "created_at", "-updated_at" */
  sort?: string;
}

export interface Issue {
  id: string;
  title: string;
  description: string;
  category: IssueCategory;
  severity: IssueSeverity;
  reporter_org_id: string;
  reporter_org_name: string;
  reporter_user_id?: string | null;
  reporter_user_name?: string | null;
  handler_org_id: string;
  handler_org_name: string;
  status: IssueStatus;
  resolved_tier: Tier | null;
  resolved_org_name?: string | null;
  due_at: string | null;
  overdue: boolean;
  due_soon: boolean;
  version: number;
  allowed_actions: string[];
  created_at?: string;
  updated_at?: string;
}

export interface IssueCreate {
  title: string;
  description: string;
  category: IssueCategory;
  severity: IssueSeverity;
  reporter_org_id: string;
}

export interface IssueFilters {
  status?: IssueStatus[];
  within_org_id?: string;
  reporter_org_id?: string;
  handler_org_id?: string;
  category?: IssueCategory;
  severity?: IssueSeverity;
  resolved_tier?: Tier;
  overdue?: boolean;
  due_soon?: boolean;
  q?: string;
  sort?: string;
}

export interface Feedback {
  id: string;
  kind: FeedbackKind;
  body: string;
  rating: number | null;
  author_id: string;
  author_name?: string | null;
  org_id: string;
  org_name?: string | null;
  created_at: string;
}

export interface FeedbackCreate {
  kind: FeedbackKind;
  body: string;
  rating?: number | null;
}

/** One entry of an item's timeline. Only id/type/created_at are relied on; the rest enrich the display. */
export interface TimelineEvent {
  id: string | number;
  /** e.g. "created", "accept", "escalate", "delegate", "feedback", "status" */
  type: string;
  created_at: string;
  actor_id?: string | null;
  actor_name?: string | null;
  org_id?: string | null;
  org_name?: string | null;
  from_status?: string | null;
  to_status?: string | null;
  from_org_id?: string | null;
  from_org_name?: string | null;
  to_org_id?: string | null;
  to_org_name?: string | null;
  note?: string | null;
  data?: Record<string, unknown> | null;
}

export interface Notification {
  id: string;
  kind: string;
  title?: string | null;
  body?: string | null;
  item_type?: "task" | "issue" | null;
  item_id?: string | null;
  created_at: string;
  read_at: string | null;
}

export interface NotificationPage extends Page<Notification> {
  unread_count?: number;
}

export interface StatsSummary {
  org_id: string;
  tasks_by_status: Partial<Record<TaskStatus, number>>;
  tasks_overdue: number;
  tasks_due_soon?: number;
  issues_by_status: Partial<Record<IssueStatus, number>>;
  issues_overdue?: number;
  resolved_by_tier: Partial<Record<Tier, number>>;
  avg_resolve_hours?: number | null;
  /** Optional time series: ISO week start -> tasks done that week. */
  tasks_done_by_week?: { week: string; count: number }[];
}

export type ItemType = "tasks" | "issues";

export interface ActionBody {
  note?: string;
  progress?: number;
  due_at?: string;
  target_org_id?: string;
  rating?: number;
}

/** Units an issuer unit may assign a task to (falls back to the caller's scope when the filter is unknown). */
export interface AssignableOrg {
  id: string;
  name: string;
  kind: OrgKind;
  tier: Tier;
  parent_id: string | null;
  code: string | null;
}

function flatQuery(filters: object): Record<string, string | number | boolean | string[] | undefined> {
  const out: Record<string, string | number | boolean | string[] | undefined> = {};
  for (const [k, v] of Object.entries(filters)) {
    if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v as string | number | boolean | string[];
  }
  return out;
}

export const workItems = {
  listTasks: (filters: TaskFilters, cursor?: string | null, limit = 50) =>
    request<Page<Task>>("GET", "/tasks", { query: { ...flatQuery(filters), limit, cursor: cursor ?? undefined } }).then((r) => r.data),
  getTask: (id: string) => request<Task>("GET", `/tasks/${encodeURIComponent(id)}`),
  createTask: (body: TaskCreate, idempotencyKey: string) =>
    request<Task>("POST", "/tasks", { body, idempotencyKey }).then((r) => r.data),
  taskAction: (id: string, action: string, body: ActionBody, opts: { idempotencyKey: string; ifMatch?: string | null }) =>
    request<Task>("POST", `/tasks/${encodeURIComponent(id)}/${action}`, { body, ...opts }).then((r) => r.data),

  listIssues: (filters: IssueFilters, cursor?: string | null, limit = 50) =>
    request<Page<Issue>>("GET", "/issues", { query: { ...flatQuery(filters), limit, cursor: cursor ?? undefined } }).then((r) => r.data),
  getIssue: (id: string) => request<Issue>("GET", `/issues/${encodeURIComponent(id)}`),
  createIssue: (body: IssueCreate, idempotencyKey: string) =>
    request<Issue>("POST", "/issues", { body, idempotencyKey }).then((r) => r.data),
  issueAction: (id: string, action: string, body: ActionBody, opts: { idempotencyKey: string; ifMatch?: string | null }) =>
    request<Issue>("POST", `/issues/${encodeURIComponent(id)}/${action}`, { body, ...opts }).then((r) => r.data),

  events: (type: ItemType, id: string) =>
    request<Page<TimelineEvent> | TimelineEvent[]>("GET", `/${type}/${encodeURIComponent(id)}/events`, { query: { limit: 200 } }).then(
      (r) => (Array.isArray(r.data) ? r.data : r.data.items),
    ),
  feedback: (type: ItemType, id: string) =>
    request<Page<Feedback> | Feedback[]>("GET", `/${type}/${encodeURIComponent(id)}/feedback`, { query: { limit: 200 } }).then((r) =>
      Array.isArray(r.data) ? r.data : r.data.items,
    ),
  addFeedback: (type: ItemType, id: string, body: FeedbackCreate, idempotencyKey: string) =>
    request<Feedback>("POST", `/${type}/${encodeURIComponent(id)}/feedback`, { body, idempotencyKey }).then((r) => r.data),

  notifications: (opts: { unread?: boolean; cursor?: string | null; limit?: number } = {}) =>
    request<NotificationPage>("GET", "/notifications", {
      query: { unread: opts.unread || undefined, cursor: opts.cursor ?? undefined, limit: opts.limit ?? 50 },
    }).then((r) => r.data),
  markRead: (id: string) => request<unknown>("POST", `/notifications/${encodeURIComponent(id)}/read`, { body: {} }),
  markAllRead: () => request<unknown>("POST", "/notifications/read-all", { body: {} }),

  summary: (orgId: string) => request<StatsSummary>("GET", "/stats/summary", { query: { org_id: orgId } }).then((r) => r.data),

  /** GET /orgs?assignable_from=ISSUER: units ISSUER may assign to (all pages). */
  assignableOrgs: async (issuerOrgId: string): Promise<AssignableOrg[]> => {
    const out: AssignableOrg[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 25; i++) {
      const page: Page<AssignableOrg> = (
        await request<Page<AssignableOrg>>("GET", "/orgs", { query: { assignable_from: issuerOrgId, limit: 200, cursor: cursor ?? undefined } })
      ).data;
      out.push(...page.items);
      cursor = page.next_cursor;
      if (!cursor) break;
    }
    return out;
  },
};

export const OPEN_TASK_STATUSES: TaskStatus[] = ["issued", "accepted", "in_progress", "submitted", "returned"];
export const OPEN_ISSUE_STATUSES: IssueStatus[] = ["open", "acknowledged"];

export function openTasks(s: StatsSummary): number {
  return OPEN_TASK_STATUSES.reduce((n, k) => n + (s.tasks_by_status[k] ?? 0), 0);
}
export function openIssues(s: StatsSummary): number {
  return OPEN_ISSUE_STATUSES.reduce((n, k) => n + (s.issues_by_status[k] ?? 0), 0);
}
export function resolvedIssues(s: StatsSummary): number {
  return (s.issues_by_status.resolved ?? 0) + (s.issues_by_status.closed ?? 0);
}
