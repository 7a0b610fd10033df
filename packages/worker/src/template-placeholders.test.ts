import { describe, expect, it } from "vitest";
import { checkPlaceholders } from "./template-placeholders.ts";

describe("checkPlaceholders", () => {
  it("accepts known variables, with or without spaces, and braces that are not placeholders", () => {
    expect(checkPlaceholders("{{topic}} / {{ conversation_id }} { {{ and {x}")).toBeUndefined();
    expect(checkPlaceholders("no placeholders at all")).toBeUndefined();
  });

  it("names the first unknown placeholder and lists the variables", () => {
    expect(checkPlaceholders("Hi {{ customer_name }}, {{topic}} {{other}}")).toMatch(
      /^unknown placeholder \{\{customer_name\}\}; the variables are summary, topic, /,
    );
    expect(checkPlaceholders("{{constructor}}")).toMatch(/\{\{constructor\}\}/);
  });
});
