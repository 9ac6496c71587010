import { describe, expect, it } from "vitest";
import type { Scorecards } from "../api/workitems";
import { cellLink, cellText, createdWithin, overdueBarLink, overdueByUnit, toneOf } from "./scorecards";

const m = (numerator: number, denominator: number, rank: number | null = null) => ({ numerator, denominator, rank });

function unit(org_id: string, name: string, tasks: number, issues: number) {
  return { org_id, name, kind: "street", metrics: { tasks_overdue: m(tasks, 10), issues_overdue: m(issues, 5) } };
}

const CARDS: Scorecards = {
  org_id: "county",
  org_name: "兰坪县",
  from: "2026-12-01",
  to: "2026-12-02",
  time_zone: "Asia/Shanghai",
  as_of: "2026-12-02T01:00:00Z",
  units: [unit("s1", "翠屏街道", 2, 0), unit("s2", "永昌街道", 0, 0), unit("s3", "金顶街道", 1, 3)],
};

describe("toneOf", () => {
  it("lights rates where more is better at 90, 75 and 60 per cent", () => {
    expect(toneOf("tasks_done_on_time", m(9, 10))).toBe("green");
    expect(toneOf("tasks_done_on_time", m(3, 4))).toBe("blue");
    expect(toneOf("tasks_done_on_time", m(6, 10))).toBe("yellow");
    expect(toneOf("tasks_done_on_time", m(1, 2))).toBe("red");
  });
  it("lights overdue and returns the other way round", () => {
    expect(toneOf("tasks_overdue", m(0, 8))).toBe("green");
    expect(toneOf("tasks_overdue", m(1, 10))).toBe("blue");
    expect(toneOf("issues_overdue", m(1, 4))).toBe("yellow");
    expect(toneOf("tasks_returned", m(1, 2))).toBe("red");
  });
  it("lights the mean rating on the 1-5 scale, and nothing for counts or empty rates", () => {
    expect(toneOf("satisfaction", m(9, 2))).toBe("green");
    expect(toneOf("satisfaction", m(5, 2))).toBe("red");
    expect(toneOf("tasks_received", m(7, 7))).toBe("none");
    expect(toneOf("issues_resolved", m(0, 0))).toBe("none");
  });
});

describe("cellText", () => {
  it("shows a count, a fraction with its share, a mean, or a dash", () => {
    expect(cellText("tasks_received", m(7, 7))).toBe("7");
    expect(cellText("tasks_accepted_on_time", m(2, 3))).toBe("2/3 (67%)");
    expect(cellText("satisfaction", m(9, 2))).toBe("4.5");
    expect(cellText("tasks_done_first_submission", m(0, 0))).toBe("—");
  });
});

describe("the lists a figure opens", () => {
  it("turns the period's local dates into a creation range in the scorecards' zone", () => {
    expect(createdWithin(CARDS)).toEqual({ created_after: "2026-12-01T00:00:00+08:00", created_before: "2026-12-03T00:00:00+08:00" });
  });
  it("links the cells the lists can name, with the same filters", () => {
    const received = new URL(cellLink("tasks_received", { org_id: "s1" }, CARDS) ?? "", "http://x");
    expect(received.pathname).toBe("/tasks");
    expect(received.searchParams.get("assignee_within_org_id")).toBe("s1");
    expect(received.searchParams.getAll("status")).not.toContain("cancelled");
    expect(received.searchParams.get("created_before")).toBe("2026-12-03T00:00:00+08:00");
    expect(cellLink("issues_overdue", { org_id: "s1" }, CARDS)).toBe("/issues?handler_within_org_id=s1&overdue=true");
    expect(cellLink("issues_resolved", { org_id: "s1" }, CARDS)).toContain("status=resolved&status=closed");
    expect(cellLink("tasks_done_on_time", { org_id: "s1" }, CARDS)).toBeNull();
  });
  it("charts each child once, worst first, and opens its tasks or issues by assignee or handler", () => {
    const rows = overdueByUnit(CARDS);
    expect(rows.map((r) => [r.name, r.tasks, r.issues])).toEqual([
      ["金顶街道", 1, 3],
      ["翠屏街道", 2, 0],
    ]);
    const [first] = rows;
    expect(first).toBeDefined();
    if (!first) return;
    expect(overdueBarLink(first, 0)).toBe("/tasks?assignee_within_org_id=s3&overdue=true");
    expect(overdueBarLink(first, 1)).toBe("/issues?handler_within_org_id=s3&overdue=true");
  });
});
