/**
 * Work items: tasks, issues, feedback, events, notifications, stats. Types come from
 * the generated schema where the backend publishes the route; the few routes it does
 * not publish yet (stats summary, assignable units) are typed by hand here, in this
 * one place, to be swapped for generated types when they appear.
 */
import type { OrgKind, Tier } from "./client";
import type { components } from "./schema";
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
  "reissue",
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

type S = components["schemas"];

/* Generated from the backend's OpenAPI document (src/api/schema.d.ts). */
export type Task = S["TaskRead"];
export type TaskCreate = S["TaskCreate"];
export type Issue = S["IssueRead"];
export type IssueCreate = S["IssueCreate"];
export type Feedback = S["FeedbackRead"];
export type FeedbackCreate = S["FeedbackCreate"];
/** One entry of an item's timeline; escalate/delegate carry from_/to_org_name in `data`. */
export type TimelineEvent = S["EventRead"];
export type Notification = S["NotificationRead"];
export type NotificationPage = S["NotificationPage"];

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
  /** due_at, created_at or updated_at; a leading "-" sorts descending */
  sort?: string;
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

/*
 * Hand-typed: GET /api/v1/stats/summary is not in the backend's OpenAPI document yet.
 * Swap for S["..."] when it is.
 */
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
    request<Page<TimelineEvent>>("GET", `/${type}/${encodeURIComponent(id)}/events`, { query: { limit: 200 } }).then((r) => r.data.items),
  feedback: (type: ItemType, id: string) =>
    request<Page<Feedback>>("GET", `/${type}/${encodeURIComponent(id)}/feedback`, { query: { limit: 200 } }).then((r) => r.data.items),
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
