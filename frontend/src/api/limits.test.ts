import { describe, expect, it } from "vitest";
import document from "../../openapi.json";
import { NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from "./limits";

type Schema = { maxLength?: number; properties?: Record<string, Schema>; anyOf?: Schema[] };
const schemas = document.components.schemas as unknown as Record<string, Schema>;

/** A property's maxLength, also when the schema allows null beside the string. */
function maxLength(model: string, property: string): number | undefined {
  const schema = schemas[model]!.properties![property]!;
  return schema.maxLength ?? schema.anyOf?.find((s) => s.maxLength !== undefined)?.maxLength;
}

describe("the forms' text limits", () => {
  it("are the API's", () => {
    for (const model of ["ActionNote", "RequiredNote", "ProgressBody", "ExtensionRequest", "CloseBody", "DelegateBody"]) {
      expect(maxLength(model, "note"), model).toBe(NOTE_MAX_LENGTH);
    }
    for (const model of ["SatisfactionFeedback", "WrittenFeedback"]) {
      expect(maxLength(model, "body"), model).toBe(NOTE_MAX_LENGTH);
    }
    for (const model of ["TaskCreate", "IssueCreate"]) {
      expect(maxLength(model, "title"), model).toBe(TITLE_MAX_LENGTH);
      expect(maxLength(model, "description"), model).toBe(TEXT_MAX_LENGTH);
    }
  });
});
