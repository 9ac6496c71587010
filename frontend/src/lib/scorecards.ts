/**
 * The dashboard's reading of GET /stats/scorecards: the colour of each cell, the bars of
 * "overdue by unit", and the list each figure opens (the same filters, so the list holds
 * exactly the items the figure counts; docs/scorecards.md).
 */
import dayjs from "dayjs";
import timezone from "dayjs/plugin/timezone";
import utc from "dayjs/plugin/utc";
import type { Metric, Scorecards, UnitScorecard } from "../api/workitems";

dayjs.extend(utc);
dayjs.extend(timezone);

/** The scorecard's columns, in the order the table shows them. */
export const METRICS = [
  "tasks_received",
  "tasks_accepted_on_time",
  "tasks_done_on_time",
  "tasks_done_first_submission",
  "tasks_returned",
  "tasks_overdue",
  "issues_handled",
  "issues_resolved",
  "issues_resolved_on_time",
  "issues_overdue",
  "satisfaction",
] as const;
export type MetricName = (typeof METRICS)[number];

/** Counts: shown as they are, neither coloured nor ranked. */
const COUNTS = new Set<string>(["tasks_received", "issues_handled"]);
const LOWER_IS_BETTER = new Set<string>(["tasks_overdue", "tasks_returned", "issues_overdue"]);

/** The colours of the lights (亮灯), best to worst; `none` for counts and empty rates. */
export type Tone = "green" | "blue" | "yellow" | "red" | "none";

export function isCount(name: string): boolean {
  return COUNTS.has(name);
}

export function rate(m: Metric): number | null {
  return m.denominator ? m.numerator / m.denominator : null;
}

/**
 * A cell's colour. Rates where more is better: green from 90 %, blue from 75 %, yellow
 * from 60 %, else red; where less is better (overdue, returned): green at 0, blue to 10 %,
 * yellow to 25 %, else red; satisfaction (a mean of 1-5): green from 4.5, blue from 4,
 * yellow from 3, else red.
 */
export function toneOf(name: string, m: Metric): Tone {
  const r = rate(m);
  if (r === null || isCount(name)) return "none";
  if (name === "satisfaction") return r >= 4.5 ? "green" : r >= 4 ? "blue" : r >= 3 ? "yellow" : "red";
  if (LOWER_IS_BETTER.has(name)) return r === 0 ? "green" : r <= 0.1 ? "blue" : r <= 0.25 ? "yellow" : "red";
  return r >= 0.9 ? "green" : r >= 0.75 ? "blue" : r >= 0.6 ? "yellow" : "red";
}

/** A cell's text: a count, "n/d (p%)", or the mean rating. */
export function cellText(name: string, m: Metric): string {
  if (isCount(name)) return String(m.numerator);
  const r = rate(m);
  if (r === null) return "—";
  if (name === "satisfaction") return r.toFixed(1);
  return `${m.numerator}/${m.denominator} (${Math.round(r * 100)}%)`;
}

function link(path: string, params: Record<string, string | string[]>): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) query.append(key, v);
  }
  return `${path}?${query.toString()}`;
}

/** The period's local days as a creation-time range: [from 00:00, the day after `to` 00:00). */
export function createdWithin(cards: Pick<Scorecards, "from" | "to" | "time_zone">): { created_after: string; created_before: string } {
  const start = dayjs.tz(cards.from, cards.time_zone);
  const end = dayjs.tz(cards.to, cards.time_zone).add(1, "day");
  return { created_after: start.format(), created_before: end.format() };
}

const TASKS_IN_FORCE = ["issued", "accepted", "in_progress", "submitted", "done", "returned"];

/** The list a scorecard cell counts, when the lists can name it; else null. */
export function cellLink(name: string, unit: Pick<UnitScorecard, "org_id">, cards: Pick<Scorecards, "from" | "to" | "time_zone">): string | null {
  const tasks = { assignee_within_org_id: unit.org_id };
  const issues = { handler_within_org_id: unit.org_id };
  switch (name) {
    case "tasks_received":
      return link("/tasks", { ...tasks, ...createdWithin(cards), status: TASKS_IN_FORCE });
    case "tasks_overdue":
      return link("/tasks", { ...tasks, overdue: "true" });
    case "issues_handled":
      return link("/issues", { ...issues, ...createdWithin(cards) });
    case "issues_resolved":
      return link("/issues", { ...issues, ...createdWithin(cards), status: ["resolved", "closed"] });
    case "issues_overdue":
      return link("/issues", { ...issues, overdue: "true" });
    default:
      return null;
  }
}

/** The lists the dashboard's figures for one unit count (its whole subtree, either party). */
export function unitLinks(orgId: string) {
  return {
    openTasks: link("/tasks", { within_org_id: orgId, status: ["issued", "accepted", "in_progress", "submitted", "returned"] }),
    overdueTasks: link("/tasks", { within_org_id: orgId, overdue: "true" }),
    openIssues: link("/issues", { within_org_id: orgId, status: ["open", "acknowledged"] }),
    overdueIssues: link("/issues", { within_org_id: orgId, overdue: "true" }),
    doneTasks: link("/tasks", { within_org_id: orgId, status: ["done"] }),
    ratedIssues: link("/issues", { within_org_id: orgId, status: ["closed"] }),
    resolvedIssues: link("/issues", { within_org_id: orgId, status: ["resolved", "closed"] }),
    resolvedAt: (tier: string) => link("/issues", { within_org_id: orgId, status: ["resolved", "closed"], resolved_tier: tier }),
  };
}

export type OverdueRow = { orgId: string; name: string; tasks: number; issues: number };

/** The children with something overdue, worst first: each task once, under its assignee. */
export function overdueByUnit(cards: Pick<Scorecards, "units"> | undefined): OverdueRow[] {
  return (cards?.units ?? [])
    .map((u) => ({ orgId: u.org_id, name: u.name, tasks: u.metrics.tasks_overdue?.numerator ?? 0, issues: u.metrics.issues_overdue?.numerator ?? 0 }))
    .filter((r) => r.tasks + r.issues > 0)
    .sort((a, b) => b.tasks + b.issues - (a.tasks + a.issues));
}

/** A bar's list: the child's overdue tasks (series 0) or issues (series 1). */
export function overdueBarLink(row: OverdueRow, seriesIndex: number): string {
  return seriesIndex === 0
    ? link("/tasks", { assignee_within_org_id: row.orgId, overdue: "true" })
    : link("/issues", { handler_within_org_id: row.orgId, overdue: "true" });
}
