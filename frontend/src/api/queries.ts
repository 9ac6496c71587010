import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useAuth } from "../auth/AuthProvider";
import type { Keyed } from "../hooks/useIdempotentSubmit";
import { api, unwrap, type OrgTree, type Versioned } from "./client";
import { keys } from "./keys";
import { isApiError } from "./http";
import {
  workItems,
  type ActionBody,
  type FeedbackCreate,
  type Issue,
  type IssueAction,
  type IssueCreate,
  type IssueFilters,
  type IssueUpdate,
  type ItemType,
  type Task,
  type TaskAction,
  type TaskCreate,
  type TaskFilters,
  type TaskUpdate,
} from "./workitems";

export { keys };

export function useTaskList(filters: TaskFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.tasks(filters),
    queryFn: ({ pageParam }) => workItems.listTasks(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled,
  });
}

export function useIssueList(filters: IssueFilters, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.issues(filters),
    queryFn: ({ pageParam }) => workItems.listIssues(filters, pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled,
  });
}

/** My to-do: the counts per kind (of the first page) and the items, most urgent first. */
export function useTodo() {
  return useInfiniteQuery({
    queryKey: keys.todo(),
    queryFn: ({ pageParam }) => workItems.todo(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
}

/** One page of tasks (no paging): the first LIMIT that match. */
export function useTaskPage(filters: TaskFilters, limit: number, enabled = true) {
  return useQuery({ queryKey: keys.taskPage(filters, limit), queryFn: () => workItems.listTasks(filters, null, limit), enabled });
}

const retryUnlessAnswered = (n: number, e: unknown) => n < 2 && !(e as { status?: number }).status;

export function useTask(id: string) {
  return useQuery({ queryKey: keys.task(id), queryFn: () => workItems.getTask(id), retry: retryUnlessAnswered });
}

export function useIssue(id: string) {
  return useQuery({ queryKey: keys.issue(id), queryFn: () => workItems.getIssue(id), retry: retryUnlessAnswered });
}

/** GET one task or issue with its ETag (for the edit form's reload after a 412). */
export function fetchItem(type: ItemType, id: string): Promise<Versioned<Task | Issue>> {
  return type === "tasks" ? workItems.getTask(id) : workItems.getIssue(id);
}

export function useEvents(type: ItemType, id: string) {
  return useQuery({ queryKey: keys.events(type, id), queryFn: () => workItems.events(type, id) });
}

export function useFeedback(type: ItemType, id: string) {
  return useQuery({ queryKey: keys.feedback(type, id), queryFn: () => workItems.feedback(type, id) });
}

/** Units the issuer may assign to (GET /tasks/assignable-units), the issuer itself excluded. */
export function useAssignable(issuerOrgId: string | undefined, parentId?: string) {
  return useQuery({
    queryKey: keys.assignable(issuerOrgId, parentId),
    queryFn: () => workItems.assignableOrgs(issuerOrgId, parentId),
    enabled: !!issuerOrgId || !!parentId,
    staleTime: 5 * 60_000,
    select: (orgs) => orgs.filter((o) => o.id !== issuerOrgId),
  });
}

/** How long a unit's counts are fresh, and kept after the last screen using them is gone. */
export const SUMMARY_STALE_MS = 60_000;
export const SUMMARY_GC_MS = 10 * 60_000;

/** GET /stats/summary for one unit, cached per unit (shared by the organisation tree, its panel and the dashboard). */
export function summaryQuery(orgId: string) {
  return {
    queryKey: keys.summary(orgId),
    queryFn: () => workItems.summary(orgId),
    staleTime: SUMMARY_STALE_MS,
    gcTime: SUMMARY_GC_MS,
  };
}

export function useSummary(orgId: string | undefined, enabled = true) {
  return useQuery({ ...summaryQuery(orgId ?? ""), enabled: !!orgId && enabled });
}

/** GET /stats/scorecards: the children of a unit scored over local dates FROM..TO (YYYY-MM-DD). */
export function useScorecards(orgId: string | undefined, from: string, to: string) {
  return useQuery({
    queryKey: keys.scorecards(orgId ?? "", from, to),
    queryFn: () => workItems.scorecards(orgId ?? "", from, to),
    enabled: !!orgId,
    staleTime: SUMMARY_STALE_MS,
    gcTime: SUMMARY_GC_MS,
  });
}

export function useNotifications(unread: boolean) {
  return useInfiniteQuery({
    queryKey: keys.notificationList(unread),
    queryFn: ({ pageParam }) => workItems.notifications({ unread, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (p) => p.next_cursor,
  });
}

export function useUnreadCount() {
  const { status } = useAuth();
  return useQuery({
    queryKey: keys.unread(),
    queryFn: async () => {
      const page = await workItems.notifications({ unread: true, limit: 100 });
      return page.unread_count ?? page.items.filter((n) => !n.read_at).length;
    },
    enabled: status === "authenticated",
    refetchInterval: 60_000,
    retry: false,
  });
}

/** The subtree of one unit (cached; shared with the scope trees). */
export function orgTreeQuery(orgId: string) {
  return {
    queryKey: keys.tree(orgId),
    queryFn: () => unwrap(api.GET("/api/v1/orgs/{org_id}/tree", { params: { path: { org_id: orgId } } })),
    staleTime: 5 * 60_000,
  };
}

export function useOrgTree(orgId: string | undefined, enabled = true) {
  return useQuery({ ...orgTreeQuery(orgId ?? ""), enabled: !!orgId && enabled });
}

function containsId(tree: OrgTree, id: string): boolean {
  return tree.id === id || tree.children.some((c) => containsId(c, id));
}

/** The trees of my scope: one per grant unit, without units already inside another grant's tree. */
export function useScopeTrees() {
  const { me } = useAuth();
  const orgIds = useMemo(() => [...new Set((me?.grants ?? []).map((g) => g.org_id))], [me]);
  const results = useQueries({ queries: orgIds.map((id) => orgTreeQuery(id)) });
  const trees = results.map((r) => r.data).filter((t): t is OrgTree => !!t);
  const roots = trees.filter((t) => !trees.some((o) => o !== t && o.id !== t.id && containsId(o, t.id)));
  return {
    trees: roots,
    isLoading: results.some((r) => r.isLoading),
    error: results.find((r) => r.error)?.error ?? null,
  };
}

export function flattenTree(tree: OrgTree, depth = 0, out: (OrgTree & { depth: number })[] = []) {
  out.push({ ...tree, depth });
  for (const c of tree.children) flattenTree(c, depth + 1, out);
  return out;
}

/* ---- Writes: every one a mutation, invalidating through the key factory. ---- */

/** What a write on one item may have changed: the item, its timeline and thread, the lists, notices, counts. */
function afterItemWrite(qc: QueryClient, type: ItemType, id: string) {
  void qc.invalidateQueries({ queryKey: keys.item(type, id) });
  void qc.invalidateQueries({ queryKey: keys.events(type, id) });
  void qc.invalidateQueries({ queryKey: keys.feedback(type, id) });
  void qc.invalidateQueries({ queryKey: keys.lists(type) });
  void qc.invalidateQueries({ queryKey: keys.todo() });
  void qc.invalidateQueries({ queryKey: keys.notifications() });
  void qc.invalidateQueries({ queryKey: keys.summaries() });
}

/** POST /tasks (a task, or a subtask with parent_id). */
export function useCreateTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: Keyed<TaskCreate>) => workItems.createTask(body, key),
    onSuccess: (task) => {
      void qc.invalidateQueries({ queryKey: keys.lists("tasks") });
      void qc.invalidateQueries({ queryKey: keys.summaries() });
      if (task.parent_id) void qc.invalidateQueries({ queryKey: keys.task(task.parent_id) });
    },
  });
}

/** POST /issues. */
export function useCreateIssue() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: Keyed<IssueCreate>) => workItems.createIssue(body, key),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.lists("issues") });
      void qc.invalidateQueries({ queryKey: keys.summaries() });
    },
  });
}

/** One workflow action: which, with what body (typed by the action's path), against which version. */
export type ActionRequest = (
  | { type: "tasks"; action: TaskAction; body: ActionBody<"tasks", TaskAction> }
  | { type: "issues"; action: IssueAction; body: ActionBody<"issues", IssueAction> }
) & { ifMatch: string | null };

/** POST /{type}/{id}/{action} with If-Match and an Idempotency-Key; a 412 reloads the item. */
export function useItemAction(type: ItemType, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body: req, key }: Keyed<ActionRequest>): Promise<Task | Issue> => {
      const headers = { idempotencyKey: key, ifMatch: req.ifMatch };
      return req.type === "tasks" ? workItems.taskAction(id, req.action, req.body, headers) : workItems.issueAction(id, req.action, req.body, headers);
    },
    onSuccess: () => afterItemWrite(qc, type, id),
    onError: (err) => {
      if (isApiError(err, 412)) afterItemWrite(qc, type, id);
    },
  });
}

export type ItemUpdate = { type: "tasks"; body: TaskUpdate } | { type: "issues"; body: IssueUpdate };

/** PATCH /{type}/{id} with If-Match; the answer (with its new ETag) becomes the cached item. */
export function useEditItem(type: ItemType, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ update, ifMatch }: { update: ItemUpdate; ifMatch: string | null }): Promise<Versioned<Task | Issue>> =>
      update.type === "tasks" ? workItems.updateTask(id, update.body, ifMatch) : workItems.updateIssue(id, update.body, ifMatch),
    onSuccess: (saved) => {
      qc.setQueryData(keys.item(type, id), saved);
      void qc.invalidateQueries({ queryKey: keys.lists(type) });
      void qc.invalidateQueries({ queryKey: keys.events(type, id) });
      void qc.invalidateQueries({ queryKey: keys.summaries() });
    },
  });
}

/** POST /{type}/{id}/feedback. */
export function useAddFeedback(type: ItemType, id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: Keyed<FeedbackCreate>) => workItems.addFeedback(type, id, body, key),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.feedback(type, id) });
      void qc.invalidateQueries({ queryKey: keys.events(type, id) });
    },
  });
}

export function useMarkRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => workItems.markRead(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.notifications() }),
  });
}

export function useAcknowledge() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => workItems.acknowledge(id),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.notifications() }),
  });
}

export function useMarkAllRead() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => workItems.markAllRead(),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.notifications() }),
  });
}
