import { fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ColourFilter } from "./ColourFilter";
import { ColourTag } from "./Tags";
import { filtersFromParams as taskFilters } from "../pages/TasksPage";
import { issueFiltersFromParams as issueFilters } from "../pages/IssuesPage";
import { renderWithProviders } from "../test/utils";

describe("ColourTag", () => {
  it("names each colour in words, with its meaning, the dot only decoration", () => {
    for (const [colour, word] of [
      ["red", "红灯"],
      ["yellow", "黄灯"],
      ["blue", "蓝灯"],
      ["green", "绿灯"],
    ] as const) {
      const { unmount, container } = renderWithProviders(<ColourTag colour={colour} />);
      const tag = container.querySelector(`[data-colour="${colour}"]`);
      expect(tag).not.toBeNull();
      expect(tag!.textContent).toBe(word);
      expect(tag!.getAttribute("title")).toBeTruthy();
      expect(tag!.querySelector(".colour-dot")!.getAttribute("aria-hidden")).toBe("true");
      unmount();
    }
  });
});

describe("the colour filter", () => {
  it("reads any of the colours from the URL and ignores the rest", () => {
    const params = new URLSearchParams("colour=red&colour=blue&colour=purple");
    expect(taskFilters(params).colour).toEqual(["red", "blue"]);
    expect(issueFilters(params).colour).toEqual(["red", "blue"]);
    expect(taskFilters(new URLSearchParams("")).colour).toBeUndefined();
  });

  it("offers the four colours and reports the choice", async () => {
    const onChange = vi.fn();
    renderWithProviders(<ColourFilter value={[]} onChange={onChange} />);
    const box = screen.getByRole("combobox", { name: "亮灯" });
    fireEvent.mouseDown(box);
    const listbox = await screen.findByRole("listbox");
    expect(within(listbox).getAllByRole("option").length).toBeGreaterThan(0);
    fireEvent.click(await screen.findByText("红灯", { selector: ".ant-select-item-option-content span" }));
    expect(onChange).toHaveBeenCalled();
    expect(onChange.mock.calls[0]?.[0]).toEqual(["red"]);
  });
});
