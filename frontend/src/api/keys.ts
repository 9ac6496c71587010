/**
 * The one factory of query keys. Keys nest by prefix, so invalidating `keys.lists("tasks")`
 * refreshes every task list and page, `keys.notifications()` every notification query,
 * `keys.summaries()` every unit's counts.
 */
import type { IssueFilters, ItemType, TaskFilters } from "./workitems";

export const keys = {
  me: () => ["me"] as const,

  /** Every list (and page) of tasks or of issues. */
  lists: (type: ItemType) => [type] as const,
  tasks: (f: TaskFilters) => ["tasks", "list", f] as const,
  /** One page of tasks, not a paged list (the dashboard's completions). */
  taskPage: (f: TaskFilters, limit: number) => ["tasks", "page", f, limit] as const,
  issues: (f: IssueFilters) => ["issues", "list", f] as const,

  /** One task or issue (with its ETag). */
  item: (type: ItemType, id: string) => [type === "tasks" ? "task" : "issue", id] as const,
  task: (id: string) => keys.item("tasks", id),
  issue: (id: string) => keys.item("issues", id),
  events: (type: ItemType, id: string) => ["events", type, id] as const,
  feedback: (type: ItemType, id: string) => ["feedback", type, id] as const,
  assignable: (issuerOrgId: string | undefined, parentId: string | undefined) => ["assignable", issuerOrgId ?? null, parentId ?? null] as const,

  trees: () => ["org-tree"] as const,
  tree: (id: string) => ["org-tree", id] as const,
  summaries: () => ["summary"] as const,
  summary: (id: string) => ["summary", id] as const,
  // Under "summary", so whatever refreshes the counts refreshes the scorecards too.
  scorecards: (id: string, from: string, to: string) => ["summary", "scorecards", id, from, to] as const,

  /** My to-do (GET /me/todo): its counts and items, paged. */
  todo: () => ["todo"] as const,

  notifications: () => ["notifications"] as const,
  notificationList: (unread: boolean) => ["notifications", "list", unread] as const,
  unread: () => ["notifications", "unread-count"] as const,

  /* Administration. */
  orgs: () => ["orgs"] as const,
  orgList: (q: string) => ["orgs", "list", q] as const,
  users: () => ["users"] as const,
  userList: (q: string) => ["users", "list", q] as const,
  userSearch: (q: string) => ["users", "search", q] as const,
  userSeed: () => ["users", "seed"] as const,
  user: (id: string) => ["user", id] as const,
  grants: () => ["grants"] as const,
  audit: () => ["audit"] as const,
  chasingPolicy: (rootOrgId: string | null) => ["chasing-policy", rootOrgId] as const,
};
