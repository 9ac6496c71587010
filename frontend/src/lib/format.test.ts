import { describe, expect, it } from "vitest";
import { weeklyCounts } from "../pages/DashboardPage";
import { byUrgency, urgencyOf } from "./format";
import dayjs from "dayjs";

describe("urgency", () => {
  const now = new Date("2026-11-26T12:00:00Z").getTime();
  it("trusts the server's flags", () => {
    expect(urgencyOf({ overdue: true, due_soon: false }, now)).toBe("overdue");
    expect(urgencyOf({ overdue: false, due_soon: true }, now)).toBe("dueSoon");
    expect(urgencyOf({ overdue: false, due_soon: false, due_at: "2026-11-01T00:00:00Z" }, now)).toBe("normal");
  });
  it("derives from the date when the flags are absent, ignoring closed items", () => {
    expect(urgencyOf({ due_at: "2026-11-26T11:00:00Z", status: "in_progress" }, now)).toBe("overdue");
    expect(urgencyOf({ due_at: "2026-11-28T11:00:00Z", status: "issued" }, now)).toBe("dueSoon");
    expect(urgencyOf({ due_at: "2026-11-20T00:00:00Z", status: "done" }, now)).toBe("normal");
  });
  it("sorts overdue first, then due soon, then by due date", () => {
    const items = [
      { id: "c", overdue: false, due_soon: false, due_at: "2026-12-01T00:00:00Z" },
      { id: "b", overdue: false, due_soon: true, due_at: "2026-11-27T00:00:00Z" },
      { id: "d", overdue: false, due_soon: false, due_at: null },
      { id: "a", overdue: true, due_soon: false, due_at: "2026-11-20T00:00:00Z" },
    ];
    expect([...items].sort(byUrgency).map((i) => i.id)).toEqual(["a", "b", "c", "d"]);
  });
});

describe("weeklyCounts", () => {
  it("buckets done tasks into Monday-start weeks and ignores other statuses and old ones", () => {
    const now = dayjs("2026-11-26T12:00:00"); // a Thursday
    const out = weeklyCounts(
      [
        { status: "done", updated_at: "2026-11-24T09:00:00" }, // this week
        { status: "done", updated_at: "2026-11-23T00:30:00" }, // this week's Monday
        { status: "done", updated_at: "2026-11-22T23:00:00" }, // last week's Sunday
        { status: "submitted", updated_at: "2026-11-25T09:00:00" },
        { status: "done", updated_at: "2025-01-01T00:00:00" },
      ],
      4,
      now,
    );
    expect(out.map((w) => w.week)).toEqual(["2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23"]);
    expect(out.map((w) => w.count)).toEqual([0, 0, 1, 2]);
  });
});
