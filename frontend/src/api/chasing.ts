/** The chasing ladder (催办) of a root unit: GET and PUT /chasing-policy. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, unwrap, type JsonBody, type Schemas } from "./client";
import { keys } from "./keys";

export type ChasingPolicy = Schemas["PolicyRead"];
export type ChasingPolicyWrite = JsonBody<"/api/v1/chasing-policy", "put">;
/** The ladder's steps, in the order an item climbs them (each after the one before, but the reminder). */
export const CHASING_STEPS = ["reminder_days_before", "notice_days_after", "circular_days_after", "supervision_days_after"] as const;
export type ChasingStep = (typeof CHASING_STEPS)[number];

/** The policy of ROOT (null: the one root of my grants), once `enabled`. */
export function useChasingPolicy(root: string | null, enabled = true) {
  return useQuery({
    enabled,
    queryKey: keys.chasingPolicy(root),
    queryFn: () => unwrap(api.GET("/api/v1/chasing-policy", { params: { query: { root_org_id: root ?? undefined } } })),
  });
}

export function usePutChasingPolicy() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: ChasingPolicyWrite) => unwrap(api.PUT("/api/v1/chasing-policy", { body })),
    onSuccess: (policy) => {
      qc.setQueryData(keys.chasingPolicy(policy.root_org_id), policy);
      void qc.invalidateQueries({ queryKey: ["chasing-policy"] });
    },
  });
}
