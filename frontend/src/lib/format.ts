import dayjs from "dayjs";
import "dayjs/locale/zh-cn";
import "dayjs/locale/en";

export function dayjsLocale(lang: string): string {
  return lang.startsWith("zh") ? "zh-cn" : "en";
}

export function formatDateTime(iso: string | null | undefined, lang: string): string {
  if (!iso) return "—";
  return dayjs(iso).locale(dayjsLocale(lang)).format(lang.startsWith("zh") ? "YYYY-MM-DD HH:mm" : "D MMM YYYY HH:mm");
}

export function formatDate(iso: string | null | undefined, lang: string): string {
  if (!iso) return "—";
  return dayjs(iso).locale(dayjsLocale(lang)).format(lang.startsWith("zh") ? "YYYY-MM-DD" : "D MMM YYYY");
}

export type Urgency = "overdue" | "dueSoon" | "normal";

/** Red for overdue, amber for due soon (the server's flags: within 2 working days); without them, 48 hours from the date. */
export function urgencyOf(item: { overdue?: boolean; due_soon?: boolean; due_at?: string | null; status?: string }, now = Date.now()): Urgency {
  if (item.overdue) return "overdue";
  if (item.due_soon) return "dueSoon";
  if (item.overdue === undefined && item.due_at) {
    const closed = ["done", "cancelled", "resolved", "closed"].includes(item.status ?? "");
    if (closed) return "normal";
    const due = new Date(item.due_at).getTime();
    if (due < now) return "overdue";
    if (due - now <= 48 * 3600 * 1000) return "dueSoon";
  }
  return "normal";
}

/** Overdue first, then due soon, then by due date (no date last). */
export function byUrgency<T extends { overdue?: boolean; due_soon?: boolean; due_at?: string | null }>(a: T, b: T): number {
  const rank = (x: T) => (x.overdue ? 0 : x.due_soon ? 1 : 2);
  const r = rank(a) - rank(b);
  if (r !== 0) return r;
  const da = a.due_at ? new Date(a.due_at).getTime() : Number.POSITIVE_INFINITY;
  const db = b.due_at ? new Date(b.due_at).getTime() : Number.POSITIVE_INFINITY;
  return da - db;
}
