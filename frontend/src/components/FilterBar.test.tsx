import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import i18n from "../i18n";
import { activeFilters } from "../pages/TasksPage";
import { renderWithProviders } from "../test/utils";
import { FilterBar } from "./FilterBar";

beforeEach(async () => {
  await i18n.changeLanguage("zh-CN");
});

describe("FilterBar on a phone", () => {
  // jsdom matches no media query, so antd's breakpoints report a phone.
  it("shows the search only, and the other filters once asked, with the number set", async () => {
    const user = userEvent.setup();
    renderWithProviders(
      <FilterBar active={2} search={<input aria-label="关键词" />}>
        <select aria-label="状态" />
      </FilterBar>,
    );
    expect(screen.getByLabelText("关键词")).toBeVisible();
    expect(screen.getByLabelText("状态")).not.toBeVisible();
    const toggle = screen.getByTestId("filters-toggle");
    expect(toggle).toHaveAttribute("aria-expanded", "false");
    expect(screen.getByText("2")).toBeInTheDocument();
    await user.click(toggle);
    expect(toggle).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByLabelText("状态")).toBeVisible();
  });

  it("counts the filters that are set, the keyword and the default sort aside, a due range once", () => {
    expect(activeFilters({ q: "招工", sort: "due_at" })).toBe(0);
    expect(activeFilters({ status: [], overdue: true, sort: "-created_at" })).toBe(2);
    expect(activeFilters({ due_after: "a", due_before: "b", within_org_id: "o1" })).toBe(2);
  });
});
