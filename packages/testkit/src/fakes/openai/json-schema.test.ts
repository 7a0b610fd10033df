import { describe, expect, it } from "vitest";
import { type JsonSchema, strictSchemaProblems, validateJson } from "./json-schema.ts";

const item: JsonSchema = {
  type: "object",
  properties: { text: { type: "string" }, turns: { type: "array", items: { type: "integer" } } },
  required: ["text", "turns"],
  additionalProperties: false,
};
const schema: JsonSchema = {
  type: "object",
  properties: {
    sentiment: { type: "string", enum: ["positive", "negative"] },
    note: { type: ["string", "null"] },
    points: { type: "array", items: { $ref: "#/definitions/item" } },
  },
  required: ["sentiment", "note", "points"],
  additionalProperties: false,
  definitions: { item },
};

describe("validateJson", () => {
  it("accepts a matching value, nulls where the type allows them, and refs", () => {
    expect(
      validateJson(schema, { sentiment: "positive", note: null, points: [{ text: "a", turns: [1] }] }),
    ).toEqual([]);
  });

  it("names every violation with its path", () => {
    const errors = validateJson(schema, {
      sentiment: "ecstatic",
      points: [{ text: "a", turns: [1.5], extra: true }],
      email: "x",
    });
    expect(errors).toEqual([
      '$: missing required "note"',
      '$.sentiment: "ecstatic" not in enum',
      "$.points[0].turns[0]: expected integer, got number",
      '$.points[0]: unexpected property "extra"',
      '$: unexpected property "email"',
    ]);
  });
});

describe("strictSchemaProblems", () => {
  it("passes a strict schema and refuses an optional property or an open object, as the API does", () => {
    expect(strictSchemaProblems(schema)).toEqual([]);
    const loose: JsonSchema = {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "object", properties: {}, required: [] } },
      required: ["a"],
      additionalProperties: false,
    };
    expect(strictSchemaProblems(loose)).toEqual([
      "In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'b'.",
      "In context=('b'), 'additionalProperties' is required to be supplied and to be false.",
    ]);
    expect(strictSchemaProblems({ type: "array", items: { type: "string" } })).toEqual([
      "the root schema must be of type 'object'",
    ]);
  });
});
