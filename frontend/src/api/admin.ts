/** Administration: units, users, grants, the audit log. Lists are paged queries; writes are mutations. */
import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import type { Keyed } from "../hooks/useIdempotentSubmit";
import { api, unwrap, type JsonBody } from "./client";
import { keys } from "./keys";

export type OrgCreate = JsonBody<"/api/v1/orgs", "post">;
export type UserCreate = JsonBody<"/api/v1/users", "post">;
export type GrantCreate = JsonBody<"/api/v1/grants", "post">;

const PAGE = 100;
const paged = { initialPageParam: null as string | null, getNextPageParam: (p: { next_cursor: string | null }) => p.next_cursor };

export function useOrgList(q: string) {
  return useInfiniteQuery({
    queryKey: keys.orgList(q),
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/orgs", { params: { query: { q: q || undefined, cursor: pageParam ?? undefined, limit: PAGE } } })),
    ...paged,
  });
}

export function useUserList(q: string) {
  return useInfiniteQuery({
    queryKey: keys.userList(q),
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/users", { params: { query: { q: q || undefined, cursor: pageParam ?? undefined, limit: PAGE } } })),
    ...paged,
  });
}

export function useGrantList() {
  return useInfiniteQuery({
    queryKey: keys.grants(),
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/grants", { params: { query: { cursor: pageParam ?? undefined, limit: PAGE } } })),
    ...paged,
  });
}

export function useAuditLog() {
  return useInfiniteQuery({
    queryKey: keys.audit(),
    queryFn: ({ pageParam }) => unwrap(api.GET("/api/v1/audit", { params: { query: { cursor: pageParam ?? undefined, limit: 50 } } })),
    ...paged,
  });
}

/** POST /orgs; a new unit changes the unit lists and the trees. */
export function useCreateOrg() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: Keyed<OrgCreate>) =>
      unwrap(api.POST("/api/v1/orgs", { params: { header: { "Idempotency-Key": key } }, body: { ...body, code: body.code || null } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: keys.orgs() });
      void qc.invalidateQueries({ queryKey: keys.trees() });
    },
  });
}

export function useCreateUser() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: Keyed<UserCreate>) => unwrap(api.POST("/api/v1/users", { params: { header: { "Idempotency-Key": key } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users() }),
  });
}

/** PATCH /users/{id}: enable or disable a user. */
export function useSetUserActive() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, active }: { id: string; active: boolean }) =>
      unwrap(api.PATCH("/api/v1/users/{user_id}", { params: { path: { user_id: id } }, body: { is_active: active } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.users() }),
  });
}

export function useCreateGrant() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ body, key }: Keyed<GrantCreate>) => unwrap(api.POST("/api/v1/grants", { params: { header: { "Idempotency-Key": key } }, body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.grants() }),
  });
}

export function useRevokeGrant() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE("/api/v1/grants/{grant_id}", { params: { path: { grant_id: id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.grants() }),
  });
}
