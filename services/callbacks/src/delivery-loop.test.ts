import { createHmac } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";
import { createOrm } from "@postprocess/db";
import { silentLogger } from "@postprocess/kafka";
import { freePort, test, waitFor } from "@postprocess/testkit";
import { createGuardedAgents, createOutboundGuard } from "@postprocess/worker";
import { describe, expect, onTestFinished } from "vitest";
import { createDeliveryLoop, type DeliveryLoopDeps } from "./delivery-loop.ts";
import { createDeliveryStore } from "./delivery-store.ts";
import { handleProcessingStatus } from "./handle-processing-status.ts";
import { callbacksDatabase, registerEndpoint, sql } from "./testing/database.ts";
import { type Answer, startReceiver } from "./testing/receiver.ts";
import { recordingLogger } from "./testing/recording-logger.ts";
import { statusEvent } from "./testing/status-event.ts";

const day = 24 * 3600_000;

interface DeliveryRow {
  id: string;
  status: string;
  attempts: number;
  url: string;
  next_attempt_ms: number | null;
  delivered_ms: number | null;
  last_status_code: number | null;
  last_error: string | null;
}

/** A database, a moved-by-hand clock, and a way to enqueue and build loops against them. */
async function world(databaseUrl: string) {
  const { orm, secrets } = await callbacksDatabase(databaseUrl);
  const clock = { now: new Date("2026-11-26T10:01:00.000Z") };
  const agents = createGuardedAgents(createOutboundGuard({ allowPrivateNetworks: true }));
  const orms: MikroORM[] = [orm];
  onTestFinished(async () => {
    agents.destroy();
    await Promise.all(orms.map((o) => o.close()));
  });
  return {
    orm,
    secrets,
    clock,
    enqueue: (over: Parameters<typeof statusEvent>[0] = {}) =>
      handleProcessingStatus(statusEvent(over), {
        orm,
        publicBaseUrl: "https://pp.example.com",
        now: () => clock.now,
        log: silentLogger,
      }),
    loop(over: Partial<DeliveryLoopDeps> & { ownOrm?: MikroORM } = {}) {
      if (over.ownOrm) orms.push(over.ownOrm);
      return createDeliveryLoop({
        store: createDeliveryStore(over.ownOrm ?? orm),
        secrets,
        now: () => clock.now,
        log: silentLogger,
        retry: { scheduleMs: [1_000, 60_000], windowMs: day },
        timeoutMs: 300,
        agents,
        pollIntervalMs: 10,
        batchSize: 10,
        ...over,
      });
    },
    async deliveries() {
      return sql<DeliveryRow>(
        orm,
        `SELECT id, status, attempts, url, last_status_code, last_error,
                (extract(epoch FROM next_attempt_at) * 1000)::float8 AS next_attempt_ms,
                (extract(epoch FROM delivered_at) * 1000)::float8 AS delivered_ms
           FROM callback_deliveries ORDER BY created_at, id`,
      );
    },
    attempts: (id: string) =>
      sql<{ attempt: number; status_code: number | null; error: string | null }>(
        orm,
        "SELECT attempt, status_code, error FROM callback_delivery_attempts WHERE delivery_id = ? ORDER BY attempt",
        [id],
      ),
  };
}

async function receiver(answers: Answer[] = [], otherwise?: Answer) {
  const r = await startReceiver({ answers, otherwise });
  onTestFinished(() => r.close());
  return r;
}

/** The Standard Webhooks check a receiver makes, computed here independently of the service's code. */
function verify(secret: string, h: Record<string, string | string[] | undefined>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key)
    .update(`${h["webhook-id"]}.${h["webhook-timestamp"]}.${body}`)
    .digest("base64");
  return String(h["webhook-signature"])
    .split(" ")
    .some((s) => s === `v1,${expected}`);
}

describe("delivery loop", () => {
  test("POSTs the payload signed with Standard Webhooks headers the receiver can verify", async ({
    databaseUrl,
  }) => {
    const w = await world(databaseUrl);
    const r = await receiver();
    const secret = await registerEndpoint(w.orm, w.secrets, "acc_a", r.url);
    expect(await w.enqueue()).toBe("enqueued");
    const { log, entries } = recordingLogger();

    expect(await w.loop({ log }).runOnce()).toBe(1);

    expect(r.received).toHaveLength(1);
    const [{ headers, body }] = r.received as [(typeof r.received)[0]];
    const [row] = (await w.deliveries()) as [DeliveryRow];
    expect(headers["webhook-id"]).toBe(row.id);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(w.clock.now.getTime() / 1000)));
    expect(headers["content-type"]).toBe("application/json");
    expect(verify(secret, headers, body)).toBe(true);
    expect(verify(secret, headers, body.replace("Late order", "Late ordeR"))).toBe(false);
    expect(JSON.parse(body)).toMatchObject({
      type: "job.completed",
      data: {
        status: "completed",
        topic: "Late order",
        links: { status: expect.stringMatching(/^https:\/\/pp/) },
      },
    });

    expect(row).toMatchObject({
      status: "succeeded",
      attempts: 1,
      next_attempt_ms: null,
      delivered_ms: w.clock.now.getTime(),
      last_status_code: 200,
      last_error: null,
    });
    expect(await w.attempts(row.id)).toEqual([{ attempt: 1, status_code: 200, error: null }]);
    expect(await w.loop().runOnce()).toBe(0);

    // Neither the secret nor the signature is ever logged.
    const logged = JSON.stringify(entries);
    expect(entries.map((e) => e.msg)).toContain("callback delivered");
    expect(logged).not.toContain(secret.slice("whsec_".length));
    expect(logged).not.toContain(String(headers["webhook-signature"]).slice(3));
  });

  test("a 500, then no answer in time, then a 200: delivered on the 3rd attempt, each one recorded", async ({
    databaseUrl,
  }) => {
    const w = await world(databaseUrl);
    const r = await receiver([500, "hang"], 200);
    const secret = await registerEndpoint(w.orm, w.secrets, "acc_a", r.url);
    await w.enqueue();
    const loop = w.loop();
    const start = w.clock.now.getTime();

    expect(await loop.runOnce()).toBe(1);
    expect(await w.deliveries()).toMatchObject([
      {
        status: "pending",
        attempts: 1,
        last_status_code: 500,
        last_error: "HTTP 500",
        next_attempt_ms: start + 1_000,
      },
    ]);
    // Not due yet: the schedule's first delay has not passed.
    expect(await loop.runOnce()).toBe(0);

    w.clock.now = new Date(start + 1_000);
    expect(await loop.runOnce()).toBe(1);
    expect(await w.deliveries()).toMatchObject([
      {
        status: "pending",
        attempts: 2,
        last_status_code: null,
        last_error: "no response within 300 ms",
        next_attempt_ms: start + 61_000,
      },
    ]);

    w.clock.now = new Date(start + 61_000);
    expect(await loop.runOnce()).toBe(1);
    const [row] = (await w.deliveries()) as [DeliveryRow];
    expect(row).toMatchObject({ status: "succeeded", attempts: 3, last_status_code: 200, last_error: null });
    expect(await w.attempts(row.id)).toEqual([
      { attempt: 1, status_code: 500, error: "HTTP 500" },
      { attempt: 2, status_code: null, error: "no response within 300 ms" },
      { attempt: 3, status_code: 200, error: null },
    ]);
    // Every attempt is the same message (id and body), each signed for its own timestamp.
    expect(r.received).toHaveLength(3);
    expect(new Set(r.received.map((m) => m.headers["webhook-id"]))).toEqual(new Set([row.id]));
    expect(new Set(r.received.map((m) => m.body)).size).toBe(1);
    expect(r.received.map((m) => m.headers["webhook-timestamp"])).toEqual(
      [start, start + 1_000, start + 61_000].map((ms) => String(ms / 1000)),
    );
    for (const m of r.received) expect(verify(secret, m.headers, m.body)).toBe(true);
  });

  test("a receiver that never accepts: retried on the schedule, failed once the 24 h window is over", async ({
    databaseUrl,
  }) => {
    const w = await world(databaseUrl);
    // Nothing listens there: every attempt is a refused connection.
    await registerEndpoint(w.orm, w.secrets, "acc_a", `http://127.0.0.1:${await freePort()}/hook`);
    await w.enqueue();
    const created = w.clock.now.getTime();
    const loop = w.loop({
      retry: { scheduleMs: [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000], windowMs: day },
    });

    const seen: number[] = [];
    for (;;) {
      expect(await loop.runOnce()).toBe(1);
      const [row] = (await w.deliveries()) as [DeliveryRow];
      if (row.status !== "pending") break;
      seen.push(row.next_attempt_ms! - created);
      w.clock.now = new Date(row.next_attempt_ms!);
    }
    // 5 s, 5 min, 30 min, 2 h, 5 h, 10 h after each failure, then the last try at the deadline.
    expect(seen).toEqual([5_000, 305_000, 2_105_000, 9_305_000, 27_305_000, 63_305_000, day]);
    const [row] = (await w.deliveries()) as [DeliveryRow];
    expect(row).toMatchObject({
      status: "failed",
      attempts: 8,
      next_attempt_ms: null,
      last_status_code: null,
    });
    expect(row.last_error).toMatch(/ECONNREFUSED/);
    expect(await w.attempts(row.id)).toHaveLength(8);
    expect(await loop.runOnce()).toBe(0);
  });

  test("private destinations are refused unless allowed; no request is made", async ({ databaseUrl }) => {
    const w = await world(databaseUrl);
    const r = await receiver();
    await registerEndpoint(w.orm, w.secrets, "acc_a", r.url);
    await w.enqueue();
    const strict = createGuardedAgents(createOutboundGuard({ allowPrivateNetworks: false }));
    onTestFinished(() => strict.destroy());

    expect(await w.loop({ agents: strict }).runOnce()).toBe(1);
    expect(r.received).toHaveLength(0);
    expect(await w.deliveries()).toMatchObject([
      {
        status: "pending",
        attempts: 1,
        last_error: expect.stringMatching(/127\.0\.0\.1.*private network address/),
      },
    ]);
  });

  test("the endpoint's current URL is used; a deleted endpoint fails its pending deliveries unsent", async ({
    databaseUrl,
  }) => {
    const w = await world(databaseUrl);
    const before = await receiver();
    const after = await receiver();
    await registerEndpoint(w.orm, w.secrets, "acc_a", before.url);
    await w.enqueue();
    const secret = await registerEndpoint(w.orm, w.secrets, "acc_a", after.url);
    expect(await w.loop().runOnce()).toBe(1);
    expect(before.received).toHaveLength(0);
    expect(after.received).toHaveLength(1);
    expect(verify(secret, after.received[0]!.headers, after.received[0]!.body)).toBe(true);
    expect(await w.deliveries()).toMatchObject([{ status: "succeeded", url: after.url }]);

    w.clock.now = new Date(w.clock.now.getTime() + 1_000);
    await w.enqueue();
    await sql(w.orm, "DELETE FROM callback_endpoints WHERE account_id = 'acc_a'");
    expect(await w.loop().runOnce()).toBe(1);
    expect(after.received).toHaveLength(1);
    expect((await w.deliveries())[1]).toMatchObject({
      status: "failed",
      attempts: 0,
      next_attempt_ms: null,
      last_error: "callback endpoint deleted",
    });
  });

  test("two loops on one database deliver every callback exactly once", async ({ databaseUrl }) => {
    const w = await world(databaseUrl);
    const r = await receiver();
    await registerEndpoint(w.orm, w.secrets, "acc_a", r.url);
    for (let i = 0; i < 12; i++) expect(await w.enqueue()).toBe("enqueued");
    // Separate pools, as two replicas would have.
    const loops = [
      w.loop({ batchSize: 3 }),
      w.loop({ batchSize: 3, ownOrm: createOrm({ clientUrl: databaseUrl }) }),
    ];
    for (const l of loops) l.start();
    try {
      await waitFor("all 12 callbacks to be delivered", async () => {
        const rows = await w.deliveries();
        return rows.every((d) => d.status === "succeeded") && rows;
      });
    } finally {
      await Promise.all(loops.map((l) => l.stop()));
    }
    const ids = r.received.map((m) => m.headers["webhook-id"]);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect((await w.deliveries()).map((d) => d.attempts)).toEqual(new Array(12).fill(1));
  });
});
