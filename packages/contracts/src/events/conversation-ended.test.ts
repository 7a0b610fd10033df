import { SchemaRegistry } from "@kafkajs/confluent-schema-registry";
import { test, uniqueName } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { topics } from "../catalog.ts";
import { registerSchemas } from "../register.ts";

const def = topics.conversationEnded;
// The schema as it was before the settings snapshot: what a running registry already holds.
const before = {
  ...def,
  schema: { ...def.schema, fields: def.schema.fields.filter((f) => f.name !== "settings") },
};

const event = {
  event_id: "evt_1",
  occurred_at: "2026-11-26T12:00:00.000Z",
  account_id: "acc_1",
  conversation_id: "conv_1",
  processing_id: "proc_01JC0000000000000000000000",
  email_id: "ops@example.com",
  source: { kind: "elevenlabs", agent_id: null, transcript: [], audio_url: null },
  labels: {},
};

describe("conversation.ended settings snapshot", () => {
  test("is a BACKWARD_TRANSITIVE-compatible new version that round-trips", async ({ env }) => {
    const prefix = `${uniqueName("c")}.`;
    const [v1] = await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [before] });
    const [v2] = await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: [def] });
    expect(v2!.id).not.toBe(v1!.id);

    const registry = new SchemaRegistry({ host: env.SCHEMA_REGISTRY_URL });
    const settings = {
      default_email_template: null,
      email_subject_template: "{{topic}}",
      email_from_name: null,
      email_from_address: null,
      max_file_size_mb: 25,
      processing_timeout_minutes: 5,
      enable_audio_storage: false,
      enable_transcript_storage: true,
      enable_report_generation: true,
      openai_model: "gpt-4o",
      openai_max_tokens: 2000,
      custom_system_prompt: null,
      minio_bucket_name: null,
      file_retention_days: 7,
    };
    const decoded = await registry.decode(await registry.encode(v2!.id, { ...event, settings }));
    expect({ ...(decoded as { settings: object }).settings }).toEqual(settings);
    // An outside publisher may leave it out: the default (null) is written.
    const omitted = await registry.decode(await registry.encode(v2!.id, event));
    expect((omitted as { settings: unknown }).settings).toBeNull();
  });
});
