import { useCallback, useRef, useState } from "react";

function newKey(): string {
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

/**
 * Runs a POST with an Idempotency-Key. A retry of the same body (after a failure
 * or a lost answer) reuses the key, so the server replays the first result
 * instead of creating a second row; a changed body gets a new key; success
 * clears it. The caller's form keeps its values on failure.
 */
export function useIdempotentSubmit<B, R>(send: (body: B, idempotencyKey: string) => Promise<R>) {
  const last = useRef<{ key: string; body: string } | null>(null);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = useCallback(
    async (body: B): Promise<R> => {
      const fingerprint = stableStringify(body);
      if (!last.current || last.current.body !== fingerprint) last.current = { key: newKey(), body: fingerprint };
      setPending(true);
      setError(null);
      try {
        const result = await send(body, last.current.key);
        last.current = null;
        return result;
      } catch (err) {
        setError(err);
        throw err;
      } finally {
        setPending(false);
      }
    },
    [send],
  );

  const currentKey = useCallback(() => last.current?.key ?? null, []);
  return { submit, pending, error, currentKey, clearError: () => setError(null) };
}
