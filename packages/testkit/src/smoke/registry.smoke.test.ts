import { COMPATIBILITY, SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import { expect } from "vitest";
import { test } from "../fixtures.ts";
import { uniqueName } from "../unique.ts";

const v1 = {
  type: "record",
  name: "Smoke",
  namespace: "dev.postprocess.smoke",
  fields: [
    { name: "id", type: "string" },
    { name: "count", type: "int" },
  ],
};

test("the registry registers, encodes and decodes, and refuses an incompatible change", async ({ env }) => {
  const registry = new SchemaRegistry({ host: env.SCHEMA_REGISTRY_URL });
  const subject = uniqueName("smoke-value");
  // The client sets the subject's mode on first registration and checks it on every later one.
  const opts = { subject, compatibility: COMPATIBILITY.BACKWARD_TRANSITIVE };
  const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(v1) }, opts);
  const config = await fetch(`${env.SCHEMA_REGISTRY_URL}/config/${subject}`).then((r) => r.json());
  expect(config).toEqual({ compatibilityLevel: "BACKWARD_TRANSITIVE" });
  const encoded = await registry.encode(id, { id: "x", count: 3 });
  // Confluent wire format: magic byte 0, then the 4-byte schema id.
  expect(encoded[0]).toBe(0);
  expect(encoded.readInt32BE(1)).toBe(id);
  expect(await registry.decode(encoded)).toEqual({ id: "x", count: 3 });

  // Adding a required field without a default breaks BACKWARD: new readers cannot read old data.
  const incompatible = { ...v1, fields: [...v1.fields, { name: "extra", type: "string" }] };
  await expect(
    registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(incompatible) }, opts),
  ).rejects.toThrow(/incompatible|409/i);

  // The same change with a default is compatible and gets a new version.
  const compatible = { ...v1, fields: [...v1.fields, { name: "extra", type: "string", default: "" }] };
  const second = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(compatible) }, opts);
  expect(second.id).not.toBe(id);
});
