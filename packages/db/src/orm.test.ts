import { migrationsList } from "@postprocess/migrations";
import { test } from "@postprocess/testkit";
import { expect, test as unitTest } from "vitest";
import { createOrm, migrate } from "./orm.ts";

unitTest("building the ORM connects to nothing, and maps one entity per table", async () => {
  // Nothing listens on port 9: any connection attempt would fail the run.
  const orm = createOrm({ clientUrl: "postgresql://nobody:secret@127.0.0.1:9/none" });
  try {
    const tables = [...orm.getMetadata().getAll().values()].map((meta) => meta.tableName).sort();
    expect(tables).toEqual([
      "account_settings",
      "accounts",
      "api_keys",
      "api_rate_limits",
      "api_usage_metrics",
      "callback_deliveries",
      "callback_delivery_attempts",
      "callback_endpoints",
      "conversation_files",
      "conversation_processing",
      "elevenlabs_integrations",
      "elevenlabs_webhook_receipts",
      "email_deliveries",
      "gateway_submissions",
      "processed_events",
      "processing_audit_log",
    ]);
    expect(orm.config.get("pool")).toMatchObject({ max: 10 });
  } finally {
    await orm.close();
  }
});

test("migrate applies every migration once, then nothing", async ({ databaseUrl }) => {
  const orm = createOrm({ clientUrl: databaseUrl });
  try {
    expect((await migrate(orm)).map((m) => m.name)).toEqual(migrationsList.map((m) => m.name));
    expect(await migrate(orm)).toEqual([]);
  } finally {
    await orm.close();
  }
});

test("replicas migrating at the same time serialise: every migration is applied exactly once", async ({
  databaseUrl,
}) => {
  const orms = [
    createOrm({ clientUrl: databaseUrl }),
    createOrm({ clientUrl: databaseUrl }),
    createOrm({ clientUrl: databaseUrl }),
  ];
  try {
    const applied = await Promise.all(orms.map((o) => migrate(o)));
    expect(applied.map((a) => a.length).sort()).toEqual([0, 0, migrationsList.length]);
  } finally {
    await Promise.all(orms.map((o) => o.close()));
  }
});
