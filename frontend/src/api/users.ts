/** Users for pickers and name lookups: server-side search, names by id, both cached. */
import { keepPreviousData, useQueries, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { api, unwrap, type User } from "./client";
import { keys } from "./keys";

export const SEARCH_LIMIT = 20;

/** Remember every user a list returned, so name lookups need no request of their own. */
function remember(qc: QueryClient, users: User[]) {
  for (const u of users) qc.setQueryData(keys.user(u.id), u);
}

/** GET /users?q=: the first SEARCH_LIMIT matches of a (debounced) query; the previous answer stays while typing. */
export function useUserSearch(q: string, enabled = true) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: keys.userSearch(q),
    queryFn: async ({ signal }) => {
      const page = await unwrap(api.GET("/api/v1/users", { params: { query: { q: q || undefined, limit: SEARCH_LIMIT } }, signal }));
      remember(qc, page.items);
      return page;
    },
    enabled,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
}

/**
 * Display names for user ids (grants, audit): one page of users first, then GET /users/{id}
 * for each id that page did not hold. Cached, so each user is asked for once.
 */
export function useUserNames(ids: (string | null | undefined)[]): Map<string, string> {
  const qc = useQueryClient();
  const unique = useMemo(() => [...new Set(ids.filter((x): x is string => !!x))].sort(), [ids]);
  const seed = useQuery({
    queryKey: keys.userSeed(),
    queryFn: async () => {
      const page = await unwrap(api.GET("/api/v1/users", { params: { query: { limit: 200 } } }));
      remember(qc, page.items);
      return page.items;
    },
    enabled: unique.length > 0,
    staleTime: 5 * 60_000,
  });
  const known = new Set((seed.data ?? []).map((u) => u.id));
  const lookups = useQueries({
    queries: unique.map((id) => ({
      queryKey: keys.user(id),
      queryFn: () => unwrap(api.GET("/api/v1/users/{user_id}", { params: { path: { user_id: id } } })),
      enabled: seed.isFetched && !known.has(id),
      staleTime: 5 * 60_000,
      retry: false,
    })),
  });
  const names = new Map<string, string>();
  unique.forEach((id, i) => {
    const u = lookups[i]?.data ?? qc.getQueryData<User>(keys.user(id));
    if (u) names.set(id, userLabel(u));
  });
  return names;
}

export function userLabel(u: Pick<User, "display_name" | "username">): string {
  return `${u.display_name} (${u.username})`;
}
