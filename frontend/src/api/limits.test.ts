import { describe, expect, it } from "vitest";
import document from "../../openapi.json";
import { CHASING_DAYS_MAX, NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH, WORKING_DAYS_MAX } from "./limits";

type Schema = { maxLength?: number; minimum?: number; maximum?: number; properties?: Record<string, Schema>; anyOf?: Schema[] };
const schemas = document.components.schemas as unknown as Record<string, Schema>;

/** A property's maxLength, also when the schema allows null beside the string. */
function maxLength(model: string, property: string): number | undefined {
  const schema = schemas[model]!.properties![property]!;
  return schema.maxLength ?? schema.anyOf?.find((s) => s.maxLength !== undefined)?.maxLength;
}

/** A number property's [minimum, maximum], also when the schema allows null beside it. */
function range(model: string, property: string): [number | undefined, number | undefined] {
  const schema = schemas[model]!.properties![property]!;
  const found = schema.maximum !== undefined ? schema : schema.anyOf?.find((s) => s.maximum !== undefined);
  return [found?.minimum, found?.maximum];
}

describe("the forms' text limits", () => {
  it("are the API's", () => {
    for (const model of ["ActionNote", "RequiredNote", "ProgressBody", "ExtensionRequest", "CloseBody", "DelegateBody", "SupervisionOrder"]) {
      expect(maxLength(model, "note"), model).toBe(NOTE_MAX_LENGTH);
    }
    for (const model of ["SatisfactionFeedback", "WrittenFeedback"]) {
      expect(maxLength(model, "body"), model).toBe(NOTE_MAX_LENGTH);
    }
    for (const model of ["TaskCreate", "IssueCreate"]) {
      expect(maxLength(model, "title"), model).toBe(TITLE_MAX_LENGTH);
      expect(maxLength(model, "description"), model).toBe(TEXT_MAX_LENGTH);
    }
    expect(range("SupervisionOrder", "due_in_working_days")).toEqual([1, WORKING_DAYS_MAX]);
    for (const step of ["reminder_days_before", "notice_days_after", "circular_days_after", "supervision_days_after"]) {
      expect(range("PolicyWrite", step), step).toEqual([0, CHASING_DAYS_MAX]);
    }
  });
});
