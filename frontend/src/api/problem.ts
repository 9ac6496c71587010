import type { TFunction } from "i18next";

/** An RFC 9457 problem document as the API sends it. */
export interface ProblemDocument {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { loc?: (string | number)[]; msg?: string; type?: string }[];
  [key: string]: unknown;
}

/** An error response from the API (problem+json, or anything else non-2xx). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDocument;
  readonly retryAfter: number | null;

  constructor(status: number, problem: ProblemDocument, retryAfter: number | null = null) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }

  /** The last segment of the problem `type` URI, e.g. "not-found". */
  get slug(): string {
    const type = this.problem.type ?? "";
    return type.split("/").filter(Boolean).pop() ?? "";
  }
}

/** The request never got an answer: offline, DNS, server down, CORS. */
export class NetworkError extends Error {
  constructor(cause?: unknown) {
    super("network error");
    this.name = "NetworkError";
    this.cause = cause;
  }
}

export async function apiErrorFromResponse(response: Response, body?: unknown): Promise<ApiError> {
  let problem: ProblemDocument = {};
  if (body && typeof body === "object") {
    problem = body as ProblemDocument;
  } else {
    try {
      const text = await response.clone().text();
      problem = text ? (JSON.parse(text) as ProblemDocument) : {};
    } catch {
      problem = { title: response.statusText };
    }
  }
  const ra = Number(response.headers.get("Retry-After"));
  return new ApiError(response.status, { status: response.status, ...problem }, Number.isFinite(ra) && ra > 0 ? ra : null);
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

/**
 * A readable message for any error, in the current language. The API's own
 * `detail` is English; it is appended for context only when it adds something.
 */
export function errorMessage(err: unknown, t: TFunction): string {
  if (err instanceof NetworkError) return t("errors.network");
  if (!(err instanceof ApiError)) return t("errors.unknown", { status: "?" });
  const { status } = err;
  let base: string;
  if (status === 401) base = t("errors.unauthorized");
  else if (status === 403) base = t("errors.forbidden");
  else if (status === 404) base = t("errors.notFound");
  else if (status === 409) base = t("errors.conflict");
  else if (status === 412 || status === 428) base = t("errors.stale");
  else if (status === 429) base = t("errors.tooMany", { seconds: err.retryAfter ?? 60 });
  else if (status === 422 && /idempot/i.test(`${err.slug} ${err.problem.detail ?? ""}`)) base = t("errors.idempotency");
  else if (status === 422 || status === 400) base = t("errors.validation");
  else if (status >= 500) base = t("errors.server");
  else base = t("errors.unknown", { status });
  const detail = err.problem.detail;
  const generic = !detail || /^(The request is not valid\.|No such resource\.|.* not found\.)$/.test(detail);
  if (status === 401 || status === 404 || status >= 500 || generic) return base;
  return `${base} ${t("errors.serverSays", { detail })}`;
}

/** Field-level messages from a 422 problem, keyed by field name, for antd Form.setFields. */
export function fieldErrors(err: unknown): { name: string; errors: string[] }[] {
  if (!(err instanceof ApiError) || !Array.isArray(err.problem.errors)) return [];
  const byField = new Map<string, string[]>();
  for (const e of err.problem.errors) {
    const loc = (e.loc ?? []).map(String);
    const field = loc.length > 1 && (loc[0] === "body" || loc[0] === "query") ? loc[1] : loc[0];
    if (!field || !e.msg) continue;
    byField.set(field, [...(byField.get(field) ?? []), e.msg]);
  }
  return [...byField].map(([name, errors]) => ({ name, errors }));
}
