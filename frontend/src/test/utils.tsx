import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { App as AntApp, ConfigProvider } from "antd";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router-dom";
import { vi } from "vitest";
import { AuthProvider } from "../auth/AuthProvider";
import "../i18n";

export interface Call {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

type Handler = (call: Call) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });
}

/** Replace fetch with a router over "METHOD /path" keys; records every call. */
export function mockFetch(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost:3000"), init);
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* form bodies stay text */
    }
    const call = { method: req.method, url, headers: req.headers, body };
    calls.push(call);
    const handler = routes[`${req.method} ${url.pathname}`];
    if (!handler) return json({ title: "Not Found", status: 404, detail: "No such resource." }, 404);
    return handler(call);
  });
  vi.stubGlobal("fetch", fn);
  return { calls, fn };
}

export const ME = {
  id: "u1",
  username: "community.officer",
  display_name: "社区网格员",
  demo_mode: true,
  grants: [{ id: "g1", org_id: "o-com", role: "officer", org_name: "永兴社区", org_kind: "community" }],
};

export function renderWithProviders(ui: ReactNode, { route = "/" }: { route?: string } = {}) {
  const qc = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return {
    qc,
    ...render(
      <QueryClientProvider client={qc}>
        <ConfigProvider>
          <AntApp>
            <MemoryRouter initialEntries={[route]}>
              <AuthProvider>{ui}</AuthProvider>
            </MemoryRouter>
          </AntApp>
        </ConfigProvider>
      </QueryClientProvider>,
    ),
  };
}
