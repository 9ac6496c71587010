import { QueryClient, QueryClientProvider, useMutation } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it, vi } from "vitest";
import { stableStringify, useIdempotentSubmit, type Keyed } from "./useIdempotentSubmit";

/** useIdempotentSubmit over a real mutation whose request is SEND. */
function renderSubmit<B, R>(send: (body: B, key: string) => Promise<R>) {
  const qc = new QueryClient({ defaultOptions: { mutations: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
  return renderHook(() => useIdempotentSubmit(useMutation({ mutationFn: ({ body, key }: Keyed<B>) => send(body, key) })), { wrapper });
}

describe("useIdempotentSubmit", () => {
  it("reuses the key when the same body is retried after a failure, and starts afresh after success", async () => {
    const keys: string[] = [];
    let fail = true;
    const send = vi.fn(async (_body: { a: number }, key: string) => {
      keys.push(key);
      if (fail) throw new Error("lost");
      return "ok";
    });
    const { result } = renderSubmit(send);
    await act(async () => {
      await expect(result.current.submit({ a: 1 })).rejects.toThrow("lost");
    });
    await waitFor(() => expect(result.current.error).toBeInstanceOf(Error)); // the form shows it
    fail = false;
    await act(async () => {
      await expect(result.current.submit({ a: 1 })).resolves.toBe("ok");
    });
    expect(keys[0]).toBe(keys[1]); // the retry replays, it does not create a second row
    await waitFor(() => expect(result.current.error).toBeNull()); // and the message goes
    await act(async () => {
      await result.current.submit({ a: 1 });
    });
    expect(keys[2]).not.toBe(keys[1]); // a new submission after success gets a new key
  });

  it("takes a new key when the body changed between attempts", async () => {
    const keys: string[] = [];
    const send = vi.fn(async (_b: object, key: string) => {
      keys.push(key);
      throw new Error("no");
    });
    const { result } = renderSubmit(send);
    await act(async () => {
      await result.current.submit({ note: "a" }).catch(() => undefined);
      await result.current.submit({ note: "b" }).catch(() => undefined);
      await result.current.submit({ note: "b" }).catch(() => undefined);
    });
    expect(keys[0]).not.toBe(keys[1]);
    expect(keys[1]).toBe(keys[2]);
  });

  it("fingerprints bodies independently of key order", () => {
    expect(stableStringify({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe(stableStringify({ a: [1, { c: 3, d: 2 }], b: 1 }));
    expect(stableStringify({ a: 1, b: undefined })).toBe(stableStringify({ a: 1 }));
  });
});
