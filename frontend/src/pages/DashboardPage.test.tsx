import { screen, within } from "@testing-library/react";
import { beforeEach, describe, expect, it } from "vitest";
import type { Scorecards } from "../api/workitems";
import i18n from "../i18n";
import { renderWithProviders } from "../test/utils";
import { ScorecardTable, percent } from "./DashboardPage";
import { filtersFromParams } from "./TasksPage";
import { issueFiltersFromParams } from "./IssuesPage";

beforeEach(async () => {
  await i18n.changeLanguage("zh-CN");
});

const m = (numerator: number, denominator: number, rank: number | null = null) => ({ numerator, denominator, rank });
const metrics = (good: boolean) => ({
  tasks_received: m(10, 10),
  tasks_accepted_on_time: good ? m(10, 10, 1) : m(5, 10, 2),
  tasks_done_on_time: good ? m(9, 10, 1) : m(3, 10, 2),
  tasks_done_first_submission: m(0, 0),
  tasks_returned: good ? m(0, 9, 1) : m(3, 4, 2),
  tasks_overdue: good ? m(0, 1, 1) : m(4, 6, 2),
  issues_handled: m(2, 2),
  issues_resolved: m(2, 2, 1),
  issues_resolved_on_time: m(2, 2, 1),
  issues_overdue: m(0, 0),
  satisfaction: good ? m(10, 2, 1) : m(4, 2, 2),
});
const CARDS: Scorecards = {
  org_id: "county",
  org_name: "兰坪县",
  from: "2026-12-01",
  to: "2026-12-31",
  time_zone: "Asia/Shanghai",
  as_of: "2026-12-02T01:00:00Z",
  units: [
    { org_id: "s1", name: "翠屏街道", kind: "street", metrics: metrics(true) },
    { org_id: "s2", name: "永昌街道", kind: "street", metrics: metrics(false) },
  ],
};

describe("ScorecardTable", () => {
  it("colours each rate, ranks it, and links the cells to the lists they count", () => {
    renderWithProviders(<ScorecardTable cards={CARDS} />);
    const rows = screen.getAllByRole("row");
    const good = rows.find((r) => within(r).queryByText("翠屏街道"));
    const bad = rows.find((r) => within(r).queryByText("永昌街道"));
    expect(good && bad).toBeTruthy();
    if (!good || !bad) return;
    const cell = (row: HTMLElement, name: string) => within(row).getByTestId(`score-${name}`);
    expect(cell(good, "tasks_done_on_time").querySelector("[data-tone]")?.getAttribute("data-tone")).toBe("green");
    expect(cell(bad, "tasks_done_on_time").querySelector("[data-tone]")?.getAttribute("data-tone")).toBe("red");
    expect(cell(bad, "tasks_done_on_time").textContent).toBe("3/10 (30%) #2");
    expect(cell(bad, "satisfaction").textContent).toContain("2.0");
    expect(cell(good, "tasks_done_first_submission").textContent).toBe("—");
    const overdue = within(cell(bad, "tasks_overdue")).getByRole("link");
    expect(overdue.getAttribute("href")).toBe("/tasks?assignee_within_org_id=s2&overdue=true");
    const received = within(cell(bad, "tasks_received")).getByRole("link");
    expect(received.textContent).toBe("10");
    expect(received.getAttribute("href")).toContain("created_after=2026-12-01T00%3A00%3A00%2B08%3A00");
    expect(within(cell(bad, "tasks_done_on_time")).queryByRole("link")).toBeNull();
  });

  it("gives a share as a percentage, or a dash when there is no whole", () => {
    expect(percent(3, 4)).toBe("75%");
    expect(percent(0, 0)).toBe("—");
  });
});

describe("the lists read the dashboard's filters from the address", () => {
  it("takes the assignee's or handler's subtree and a creation range", () => {
    const p = new URLSearchParams("assignee_within_org_id=s2&overdue=true&created_after=2026-12-01T00:00:00%2B08:00&created_before=2026-12-03T00:00:00%2B08:00");
    expect(filtersFromParams(p)).toMatchObject({
      assignee_within_org_id: "s2",
      overdue: true,
      created_after: "2026-12-01T00:00:00+08:00",
      created_before: "2026-12-03T00:00:00+08:00",
    });
    expect(issueFiltersFromParams(new URLSearchParams("handler_within_org_id=s1&overdue=true"))).toMatchObject({ handler_within_org_id: "s1", overdue: true });
  });
});
