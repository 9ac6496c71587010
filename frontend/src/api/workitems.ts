/**
 * Work items: tasks, issues, feedback, events, notifications, stats. Every type comes
 * from the generated schema (./schema.ts, from the backend's OpenAPI document); the
 * calls go through the same authenticated fetch as the generated client, because the
 * pages need response headers (ETag) and shared Idempotency-Key handling.
 */
import type { Tier } from "./client";
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

/* Generated from the backend's OpenAPI document (src/api/schema.ts). */
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

export type StatsSummary = S["StatsSummary"];

export type ItemType = "tasks" | "issues";

export interface ActionBody {
  note?: string;
  progress?: number;
  due_at?: string;
  target_org_id?: string;
  rating?: number;
}

export type AssignableOrg = S["OrgRead"];

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

  /** GET /tasks/assignable-units: the units ISSUER may assign to (with parentId: a subtask of that task), all pages. */
  assignableOrgs: async (issuerOrgId: string | undefined, parentId?: string): Promise<AssignableOrg[]> => {
    const out: AssignableOrg[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 25; i++) {
      const page: Page<AssignableOrg> = (
        await request<Page<AssignableOrg>>("GET", "/tasks/assignable-units", {
          query: { issuer_org_id: parentId ? undefined : issuerOrgId, parent_id: parentId, limit: 200, cursor: cursor ?? undefined },
        })
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
  return s.tasks.open;
}
export function openIssues(s: StatsSummary): number {
  return s.issues.open;
}
export function resolvedIssues(s: StatsSummary): number {
  return (s.issues.by_status.resolved ?? 0) + (s.issues.by_status.closed ?? 0);
}
