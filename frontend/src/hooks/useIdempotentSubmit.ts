import type { UseMutationResult } from "@tanstack/react-query";
import { useCallback, useRef } from "react";

export function newKey(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Stable JSON for comparing two submissions (key order does not matter). */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "undefined";
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`)
    .join(",")}}`;
}

/** What an idempotent write mutation takes: the submission and its Idempotency-Key. */
export interface Keyed<B> {
  body: B;
  key: string;
}

/**
 * Runs a POST mutation with an Idempotency-Key. A retry of the same submission (after a failure
 * or a lost answer) reuses the key, so the server replays the first result instead of creating
 * a second row; a changed submission gets a new key; success clears it. Whatever is part of the
 * submission is part of the fingerprint (an action's If-Match too: after a 412 and a reload the
 * retry is a new request with a new key). The caller's form keeps its values on failure.
 */
export function useIdempotentSubmit<B, R>(mutation: UseMutationResult<R, unknown, Keyed<B>, unknown>) {
  const last = useRef<{ key: string; body: string } | null>(null);
  const { mutateAsync, isPending, error, reset } = mutation;

  const submit = useCallback(
    async (body: B): Promise<R> => {
      const fingerprint = stableStringify(body);
      if (!last.current || last.current.body !== fingerprint) last.current = { key: newKey(), body: fingerprint };
      const result = await mutateAsync({ body, key: last.current.key });
      last.current = null;
      return result;
    },
    [mutateAsync],
  );

  const currentKey = useCallback(() => last.current?.key ?? null, []);
  return { submit, pending: isPending, error: error ?? null, currentKey, clearError: reset };
}
