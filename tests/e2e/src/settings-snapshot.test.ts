import { allTopics, registerSchemas } from "@postprocess/contracts";
import {
  createAccountWithKey,
  createDatabase,
  freePort,
  newAdminKey,
  type ServiceProcess,
  startService,
  test,
  uniqueName,
  waitFor,
} from "@postprocess/testkit";
import pg from "pg";
import { expect } from "vitest";

test("gateway and projector processes: each job keeps the settings it was accepted with", async ({
  env,
  admin,
}) => {
  const prefix = `${uniqueName("e2e")}.`;
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const db = await createDatabase(env);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const common = {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    TOPIC_PREFIX: prefix,
  };
  const services: ServiceProcess[] = [];
  const sql = new pg.Client({ connectionString: db.url });
  try {
    const projector = startService("projector", { ...common, PROJECTOR_GROUP_ID: uniqueName("projector") });
    services.push(projector);
    await waitFor(
      "the projector to start consuming",
      () => projector.output().includes("batch consumer started"),
      {
        timeoutMs: 45_000,
      },
    );
    const adminKey = newAdminKey();
    const gateway = startService("gateway", {
      ...common,
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      ADMIN_KEY_SHA256: adminKey.sha256,
      SECRETS_KEY: Buffer.alloc(32, 1).toString("base64"),
      S3_ENDPOINT: env.S3_ENDPOINT,
      S3_ACCESS_KEY: env.S3_ACCESS_KEY,
      S3_SECRET_KEY: env.S3_SECRET_KEY,
      RECONCILE_INTERVAL_MS: "0",
    });
    services.push(gateway);
    await waitFor("the gateway to be ready", async () => (await fetch(`${base}/readyz`)).ok, {
      timeoutMs: 30_000,
    });
    await sql.connect();

    const auth = { authorization: `Bearer ${await createAccountWithKey(base, adminKey.key, "acme")}` };
    const call = (path: string, method = "GET", body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { "content-type": "application/json", ...auth },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const submit = async (conversationId: string) => {
      const res = await call("/api/v1/postprocess/conversation", "POST", {
        conversation_id: conversationId,
        email_id: "ops@acme.example",
        source: { kind: "elevenlabs" },
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { processing_id: string }).processing_id;
    };

    expect((await call("/api/v1/settings", "PATCH", { processing_timeout_minutes: 5 })).status).toBe(200);
    const before = await submit("conv_before");
    expect((await call("/api/v1/settings", "PATCH", { processing_timeout_minutes: 45 })).status).toBe(200);
    const after = await submit("conv_after");

    // The projector stored each job's snapshot from its conversation.ended; the status shows it.
    const snapshotOf = (id: string) =>
      waitFor(`the projected settings of ${id}`, async () => {
        const { rows } = await sql.query(
          "SELECT settings FROM conversation_processing WHERE processing_id = $1",
          [id],
        );
        return rows[0]?.settings ?? undefined;
      });
    expect(await snapshotOf(before)).toMatchObject({ processing_timeout_minutes: 5, openai_model: "gpt-4" });
    expect(await snapshotOf(after)).toMatchObject({ processing_timeout_minutes: 45 });
    const status = (await (await call(`/api/v1/postprocess/status/${before}`)).json()) as {
      settings: { processing_timeout_minutes: number };
    };
    expect(status.settings.processing_timeout_minutes).toBe(5);
  } catch (err) {
    for (const s of services) console.error(`--- ${s.name} output ---\n${s.output().slice(-4000)}`);
    throw err;
  } finally {
    for (const s of services) await s.stop(5000);
    await sql.end().catch(() => {});
    await db.drop();
    const names = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics: names }).catch(() => {});
  }
});
