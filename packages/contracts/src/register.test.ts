import { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import { test, uniqueName } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { allTopics, topics } from "./catalog.ts";
import { checkSchemas, registerSchemas } from "./register.ts";

describe("registerSchemas", () => {
  test("registers every catalog subject with BACKWARD_TRANSITIVE, idempotently", async ({ env }) => {
    const prefix = `${uniqueName("c")}.`;
    const first = await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix });
    expect(first.map((r) => r.subject)).toEqual(allTopics.map((t) => `${prefix}${t.name}-value`));
    const again = await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix });
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    for (const r of first) {
      const config = await fetch(`${env.SCHEMA_REGISTRY_URL}/config/${r.subject}`).then((x) => x.json());
      expect(config).toEqual({ compatibilityLevel: "BACKWARD_TRANSITIVE" });
    }
    const checks = await checkSchemas(env.SCHEMA_REGISTRY_URL, { prefix });
    expect(checks.every((c) => c.registered && c.compatible)).toBe(true);
  });

  test("the registry refuses an incompatible change to a public contract", async ({ env }) => {
    const prefix = `${uniqueName("c")}.`;
    const def = topics.processingStatus;
    await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [def] });
    // A new required field without a default: readers on the new schema could not read old statuses.
    const breaking = {
      ...def,
      schema: { ...def.schema, fields: [...def.schema.fields, { name: "tenant_tier", type: "string" }] },
    };
    const [check] = await checkSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [breaking] });
    expect(check).toMatchObject({ compatible: false, registered: false });
    await expect(registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [breaking] })).rejects.toThrow(
      /incompatible/i,
    );
    // The same field with a default is a compatible evolution and becomes version 2.
    const evolving = {
      ...def,
      schema: {
        ...def.schema,
        fields: [...def.schema.fields, { name: "tenant_tier", type: "string", default: "standard" }],
      },
    };
    await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [evolving] });
    const registry = new SchemaRegistry({ host: env.SCHEMA_REGISTRY_URL });
    const latest = await registry.getLatestSchemaId(`${prefix}${def.name}-value`);
    const encoded = await registry.encode(latest, {
      ...sampleStatus(),
      tenant_tier: "gold",
    });
    expect(await registry.decode(encoded)).toMatchObject({ tenant_tier: "gold", status: "pending" });
  });
});

function sampleStatus() {
  return {
    processing_id: "proc_01JC0000000000000000000000",
    conversation_id: "conv_1",
    account_id: "acc_1",
    status: "pending",
    progress: 0,
    current_step: null,
    error: null,
    warnings: [],
    created_at: new Date(0).toISOString(),
    started_at: null,
    completed_at: null,
    total_duration_ms: null,
    artifacts: [],
    summary: null,
    topic: null,
    sentiment: null,
    key_points: [],
    action_items: [],
    updated_at: new Date(0).toISOString(),
    version: 1,
  };
}
