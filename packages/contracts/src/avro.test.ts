import { describe, expect, expectTypeOf, it } from "vitest";
import { avroRecord, type Infer, optional } from "./avro.ts";

describe("Infer", () => {
  it("derives the TypeScript type of a record schema", () => {
    const schema = avroRecord({
      type: "record",
      name: "T",
      fields: [
        { name: "id", type: "string" },
        { name: "n", type: "int" },
        { name: "tags", type: { type: "array", items: "string" } },
        { name: "kind", type: { type: "enum", name: "Kind", symbols: ["a", "b"] } },
        { name: "labels", type: { type: "map", values: "string" } },
        optional("note", "string"),
      ],
    });
    expectTypeOf<Infer<typeof schema>>().toEqualTypeOf<{
      id: string;
      n: number;
      tags: string[];
      kind: "a" | "b";
      labels: Record<string, string>;
      note: string | null;
    }>();
    expect(optional("note", "string")).toEqual({ name: "note", type: ["null", "string"], default: null });
  });
});
