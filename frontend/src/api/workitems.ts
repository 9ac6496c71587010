/**
 * Work items: tasks, issues, feedback, events, notifications, stats. Every call goes through the
 * generated client (./client `api`), so the compiler checks each path, parameter, header and body
 * against the backend's OpenAPI document (./schema.ts); every type and every list of enum values
 * comes from there too.
 */
import { api, unwrap, unwrapVersioned, type JsonBody, type QueryOf, type Versioned } from "./client";
import {
  colourValues,
  issueCategoryValues,
  issueSeverityValues,
  issueStatusValues,
  issueTodoValues,
  taskPriorityValues,
  taskSourceValues,
  taskStatusValues,
  taskTodoValues,
  tierValues,
  type components,
  type paths,
} from "./schema";

type S = components["schemas"];

export type Page<T> = { items: T[]; next_cursor: string | null };

/* Enum values, as the backend declares them. */
export const TASK_STATUSES = taskStatusValues;
export type TaskStatus = S["TaskStatus"];
export const TASK_PRIORITIES = taskPriorityValues;
export type TaskPriority = S["TaskPriority"];
export const TASK_SOURCES = taskSourceValues;
export type TaskSource = S["TaskSource"];
export const ISSUE_STATUSES = issueStatusValues;
export type IssueStatus = S["IssueStatus"];
export const ISSUE_CATEGORIES = issueCategoryValues;
export type IssueCategory = S["IssueCategory"];
export const ISSUE_SEVERITIES = issueSeverityValues;
export type IssueSeverity = S["IssueSeverity"];
export const TIERS = tierValues;
/** 亮灯, in precedence order: red > yellow > blue > green. */
export const COLOURS = colourValues;
export type Colour = S["Colour"];
export type FeedbackKind = S["FeedbackKind"];

/** Is V one of VALUES (a URL parameter, say)? */
export function isOneOf<T extends string>(values: readonly T[], v: string | null | undefined): v is T {
  return v !== null && v !== undefined && (values as readonly string[]).includes(v);
}

export type Task = S["TaskRead"];
export type TaskCreate = JsonBody<"/api/v1/tasks", "post">;
export type TaskUpdate = JsonBody<"/api/v1/tasks/{task_id}", "patch">;
export type Issue = S["IssueRead"];
export type IssueCreate = JsonBody<"/api/v1/issues", "post">;
export type IssueUpdate = JsonBody<"/api/v1/issues/{issue_id}", "patch">;
export type Feedback = S["FeedbackRead"];
export type FeedbackCreate = JsonBody<"/api/v1/tasks/{task_id}/feedback", "post">;
/** One entry of an item's timeline; escalate/delegate carry from_/to_org_name in `data`. */
export type TimelineEvent = S["EventRead"];
/** An action the caller's roles reach but separation of duties refuses, with the reason. */
export type RefusedAction = S["RefusedAction"];
export type Notification = S["NotificationRead"];
export type NotificationPage = S["NotificationPage"];
export type StatsSummary = S["StatsSummary"];
export type Scorecards = S["Scorecards"];
export type UnitScorecard = S["UnitScorecard"];
export type Metric = S["Metric"];
export type AssignableOrg = S["OrgRead"];
export type Todo = S["TodoPage"];
export type TodoItem = S["TodoItem"];
export type TaskTodo = S["TaskTodo"];
export type IssueTodo = S["IssueTodo"];
export const TASK_TODO = taskTodoValues;
export const ISSUE_TODO = issueTodoValues;

/** The task list's filters: the query parameters of GET /tasks. */
export type TaskFilters = QueryOf<"/api/v1/tasks">;
/** The issue list's filters: the query parameters of GET /issues. */
export type IssueFilters = QueryOf<"/api/v1/issues">;

export type ItemType = "tasks" | "issues";

/** Per kind of item: the item's route and what it reads as. */
interface ItemRoutes {
  tasks: { item: "/api/v1/tasks/{task_id}"; read: Task };
  issues: { item: "/api/v1/issues/{issue_id}"; read: Issue };
}
type Returns<R> = { post: { responses: { 200: { content: { "application/json": R } } } } };

/**
 * The workflow actions of a kind of item, read off the generated paths: every
 * `POST /{type}/{id}/{action}` that answers with the item itself ("accept", "escalate", ...).
 */
export type ItemAction<T extends ItemType> = {
  [P in keyof paths]: P extends `${ItemRoutes[T]["item"]}/${infer A}` ? (paths[P] extends Returns<ItemRoutes[T]["read"]> ? A : never) : never;
}[keyof paths];
export type TaskAction = ItemAction<"tasks">;
export type IssueAction = ItemAction<"issues">;

/** The body of one action, by its path: `ActionBody<"issues", "close">` is what POST /issues/{id}/close takes. */
export type ActionBody<T extends ItemType, A extends ItemAction<T>> = JsonBody<`${ItemRoutes[T]["item"]}/${A}` & keyof paths, "post">;

/** The write headers every action carries: a retry-safe key, and the version the user saw. */
export interface WriteHeaders {
  idempotencyKey: string;
  ifMatch: string | null;
}

function writeHeaders(h: WriteHeaders) {
  // A null If-Match is left out (openapi-fetch drops null headers).
  return { "Idempotency-Key": h.idempotencyKey, "If-Match": h.ifMatch };
}

const PAGE = 50;

async function taskAction<A extends TaskAction>(id: string, action: A, body: ActionBody<"tasks", A>, headers: WriteHeaders): Promise<Task> {
  const path = `/api/v1/tasks/{task_id}/${action as TaskAction}` as const;
  const json: ActionBody<"tasks", TaskAction> = body;
  return unwrap(api.POST(path, { params: { path: { task_id: id }, header: writeHeaders(headers) }, body: json }));
}

async function issueAction<A extends IssueAction>(id: string, action: A, body: ActionBody<"issues", A>, headers: WriteHeaders): Promise<Issue> {
  const path = `/api/v1/issues/{issue_id}/${action as IssueAction}` as const;
  const json: ActionBody<"issues", IssueAction> = body;
  return unwrap(api.POST(path, { params: { path: { issue_id: id }, header: writeHeaders(headers) }, body: json }));
}

export const workItems = {
  todo: (cursor?: string | null): Promise<Todo> => unwrap(api.GET("/api/v1/me/todo", { params: { query: { limit: PAGE, cursor: cursor ?? undefined } } })),
  listTasks: (filters: TaskFilters, cursor?: string | null, limit = PAGE): Promise<Page<Task>> =>
    unwrap(api.GET("/api/v1/tasks", { params: { query: { ...filters, limit, cursor: cursor ?? undefined } } })),
  getTask: (id: string): Promise<Versioned<Task>> => unwrapVersioned(api.GET("/api/v1/tasks/{task_id}", { params: { path: { task_id: id } } })),
  createTask: (body: TaskCreate, idempotencyKey: string): Promise<Task> =>
    unwrap(api.POST("/api/v1/tasks", { params: { header: { "Idempotency-Key": idempotencyKey } }, body })),
  updateTask: (id: string, body: TaskUpdate, ifMatch: string | null): Promise<Versioned<Task>> =>
    unwrapVersioned(api.PATCH("/api/v1/tasks/{task_id}", { params: { path: { task_id: id }, header: { "If-Match": ifMatch } }, body })),
  taskAction,

  listIssues: (filters: IssueFilters, cursor?: string | null, limit = PAGE): Promise<Page<Issue>> =>
    unwrap(api.GET("/api/v1/issues", { params: { query: { ...filters, limit, cursor: cursor ?? undefined } } })),
  getIssue: (id: string): Promise<Versioned<Issue>> => unwrapVersioned(api.GET("/api/v1/issues/{issue_id}", { params: { path: { issue_id: id } } })),
  createIssue: (body: IssueCreate, idempotencyKey: string): Promise<Issue> =>
    unwrap(api.POST("/api/v1/issues", { params: { header: { "Idempotency-Key": idempotencyKey } }, body })),
  updateIssue: (id: string, body: IssueUpdate, ifMatch: string | null): Promise<Versioned<Issue>> =>
    unwrapVersioned(api.PATCH("/api/v1/issues/{issue_id}", { params: { path: { issue_id: id }, header: { "If-Match": ifMatch } }, body })),
  issueAction,

  events: async (type: ItemType, id: string): Promise<TimelineEvent[]> => {
    const query = { limit: 200 };
    const page =
      type === "tasks"
        ? await unwrap(api.GET("/api/v1/tasks/{task_id}/events", { params: { path: { task_id: id }, query } }))
        : await unwrap(api.GET("/api/v1/issues/{issue_id}/events", { params: { path: { issue_id: id }, query } }));
    return page.items;
  },
  feedback: async (type: ItemType, id: string): Promise<Feedback[]> => {
    const query = { limit: 200 };
    const page =
      type === "tasks"
        ? await unwrap(api.GET("/api/v1/tasks/{task_id}/feedback", { params: { path: { task_id: id }, query } }))
        : await unwrap(api.GET("/api/v1/issues/{issue_id}/feedback", { params: { path: { issue_id: id }, query } }));
    return page.items;
  },
  addFeedback: (type: ItemType, id: string, body: FeedbackCreate, idempotencyKey: string): Promise<Feedback> => {
    const header = { "Idempotency-Key": idempotencyKey };
    return type === "tasks"
      ? unwrap(api.POST("/api/v1/tasks/{task_id}/feedback", { params: { path: { task_id: id }, header }, body }))
      : unwrap(api.POST("/api/v1/issues/{issue_id}/feedback", { params: { path: { issue_id: id }, header }, body }));
  },

  notifications: (opts: { unread?: boolean; cursor?: string | null; limit?: number } = {}): Promise<NotificationPage> =>
    unwrap(
      api.GET("/api/v1/notifications", {
        params: { query: { unread: opts.unread || undefined, cursor: opts.cursor ?? undefined, limit: opts.limit ?? PAGE } },
      }),
    ),
  markRead: (id: string): Promise<Notification> =>
    unwrap(api.POST("/api/v1/notifications/{notification_id}/read", { params: { path: { notification_id: id } } })),
  markAllRead: () => unwrap(api.POST("/api/v1/notifications/read-all")),
  /** 已阅: acknowledge a chasing notice (recorded on the item's timeline). */
  acknowledge: (id: string): Promise<Notification> =>
    unwrap(api.POST("/api/v1/notifications/{notification_id}/acknowledge", { params: { path: { notification_id: id } } })),

  summary: (orgId: string): Promise<StatsSummary> => unwrap(api.GET("/api/v1/stats/summary", { params: { query: { org_id: orgId } } })),
  scorecards: (orgId: string, from: string, to: string): Promise<Scorecards> =>
    unwrap(api.GET("/api/v1/stats/scorecards", { params: { query: { org_id: orgId, from, to } } })),

  /** GET /tasks/assignable-units: the units ISSUER may assign to (with parentId: a subtask of that task), all pages. */
  assignableOrgs: async (issuerOrgId: string | undefined, parentId?: string): Promise<AssignableOrg[]> => {
    const out: AssignableOrg[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 25; i++) {
      const page: Page<AssignableOrg> = await unwrap(
        api.GET("/api/v1/tasks/assignable-units", {
          params: { query: { issuer_org_id: parentId ? undefined : issuerOrgId, parent_id: parentId, limit: 200, cursor: cursor ?? undefined } },
        }),
      );
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
