import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch } from "../test/utils";
import { useUserNames } from "./users";

afterEach(() => vi.unstubAllGlobals());

const u = (id: string, name: string) => ({ id, username: name, display_name: name.toUpperCase(), is_active: true, created_at: "2030-01-01T00:00:00Z" });

describe("useUserNames", () => {
  it("names users from one page and asks for each missing one by id, once", async () => {
    const { calls } = mockFetch({
      "GET /api/v1/users": () => json({ items: [u("a", "alice"), u("b", "bob")], next_cursor: "more" }),
      "GET /api/v1/users/z": () => json(u("z", "zoe")),
    });
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    const wrapper = ({ children }: { children: ReactNode }) => <QueryClientProvider client={qc}>{children}</QueryClientProvider>;
    const { result } = renderHook(() => useUserNames(["a", "z", null, "a"]), { wrapper });
    await waitFor(() => expect(result.current.get("z")).toBe("ZOE (zoe)"));
    expect(result.current.get("a")).toBe("ALICE (alice)");
    const paths = calls.map((c) => c.url.pathname);
    expect(paths.filter((p) => p === "/api/v1/users")).toHaveLength(1);
    expect(paths.filter((p) => p.startsWith("/api/v1/users/"))).toEqual(["/api/v1/users/z"]);
  });
});
