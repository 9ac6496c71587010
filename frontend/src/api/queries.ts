import { useInfiniteQuery, useQueries, useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { useAuth } from "../auth/AuthProvider";
import { api, unwrap, type OrgTree } from "./client";
import { workItems, type IssueFilters, type ItemType, type TaskFilters } from "./workitems";

export const keys = {
  tasks: (f: TaskFilters) => ["tasks", f] as const,
  task: (id: string) => ["task", id] as const,
  issues: (f: IssueFilters) => ["issues", f] as const,
  issue: (id: string) => ["issue", id] as const,
  events: (type: ItemType, id: string) => ["events", type, id] as const,
  feedback: (type: ItemType, id: string) => ["feedback", type, id] as const,
  tree: (id: string) => ["org-tree", id] as const,
  summary: (id: string) => ["summary", id] as const,
  notifications: (unread: boolean) => ["notifications", unread] as const,
  unread: ["notifications", "unread-count"] as const,
};

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

export function useTask(id: string) {
  return useQuery({ queryKey: keys.task(id), queryFn: () => workItems.getTask(id), retry: (n, e) => n < 2 && !(e as { status?: number }).status });
}

export function useIssue(id: string) {
  return useQuery({ queryKey: keys.issue(id), queryFn: () => workItems.getIssue(id), retry: (n, e) => n < 2 && !(e as { status?: number }).status });
}

export function useEvents(type: ItemType, id: string) {
  return useQuery({ queryKey: keys.events(type, id), queryFn: () => workItems.events(type, id) });
}

export function useFeedback(type: ItemType, id: string) {
  return useQuery({ queryKey: keys.feedback(type, id), queryFn: () => workItems.feedback(type, id) });
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

export function useUnreadCount() {
  const { status } = useAuth();
  return useQuery({
    queryKey: keys.unread,
    queryFn: async () => {
      const page = await workItems.notifications({ unread: true, limit: 100 });
      return page.unread_count ?? page.items.filter((n) => !n.read_at).length;
    },
    enabled: status === "authenticated",
    refetchInterval: 60_000,
    retry: false,
  });
}

function containsId(tree: OrgTree, id: string): boolean {
  return tree.id === id || tree.children.some((c) => containsId(c, id));
}

/** The trees of my scope: one per grant unit, without units already inside another grant's tree. */
export function useScopeTrees() {
  const { me } = useAuth();
  const orgIds = useMemo(() => [...new Set((me?.grants ?? []).map((g) => g.org_id))], [me]);
  const results = useQueries({
    queries: orgIds.map((id) => ({
      queryKey: keys.tree(id),
      queryFn: () => unwrap(api.GET("/api/v1/orgs/{org_id}/tree", { params: { path: { org_id: id } } })),
      staleTime: 5 * 60_000,
    })),
  });
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
