import type { MikroORM } from "@mikro-orm/postgresql";
import { silentLogger } from "@postprocess/kafka";
import { test } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { handleProcessingStatus, type StatusDeps } from "./handle-processing-status.ts";
import { callbacksDatabase, registerEndpoint, sql } from "./testing/database.ts";
import { statusEvent } from "./testing/status-event.ts";

const now = new Date("2026-11-26T10:01:00.000Z");
const depsOf = (orm: MikroORM): StatusDeps => ({
  orm,
  publicBaseUrl: "https://pp.example.com",
  now: () => now,
  log: silentLogger,
});
const deliveries = (orm: MikroORM) =>
  sql<{
    id: string;
    account_id: string;
    processing_id: string;
    event_type: string;
    url: string;
    payload: { type: string; data: Record<string, unknown> };
    status: string;
    attempts: number;
    next_attempt_at: unknown;
  }>(orm, "SELECT * FROM callback_deliveries ORDER BY created_at, id");

describe("handleProcessingStatus", () => {
  test("a completed job of an account with an endpoint: one pending delivery, due now", async ({
    databaseUrl,
  }) => {
    const { orm, secrets } = await callbacksDatabase(databaseUrl);
    await registerEndpoint(orm, secrets, "acc_a", "https://hooks.example.com/pp");
    const event = statusEvent();
    expect(await handleProcessingStatus(event, depsOf(orm))).toBe("enqueued");
    const rows = await deliveries(orm);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: expect.stringMatching(/^msg_[0-9A-HJKMNP-TV-Z]{26}$/),
      account_id: "acc_a",
      processing_id: event.processing_id,
      event_type: "job.completed",
      url: "https://hooks.example.com/pp",
      status: "pending",
      attempts: 0,
      payload: { type: "job.completed", data: { processing_id: event.processing_id, topic: "Late order" } },
    });
    const [due] = await sql<{ due: boolean }>(
      orm,
      "SELECT next_attempt_at = ? AS due FROM callback_deliveries",
      [now],
    );
    expect(due?.due).toBe(true);
    await orm.close();
  });

  test("the same record again, or a later copy, enqueues nothing more", async ({ databaseUrl }) => {
    const { orm, secrets } = await callbacksDatabase(databaseUrl);
    await registerEndpoint(orm, secrets, "acc_a", "https://hooks.example.com/pp");
    const event = statusEvent();
    expect(await handleProcessingStatus(event, depsOf(orm))).toBe("enqueued");
    expect(await handleProcessingStatus(event, depsOf(orm))).toBe("already-enqueued");
    expect(await handleProcessingStatus({ ...event, version: 9 }, depsOf(orm))).toBe("already-enqueued");
    // A contradicting outcome of the same job (it cannot happen: terminal statuses are final) adds no call.
    expect(await handleProcessingStatus({ ...event, status: "failed" }, depsOf(orm))).toBe(
      "already-enqueued",
    );
    expect(await deliveries(orm)).toHaveLength(1);
    await orm.close();
  });

  test("a failed job is a job.failed delivery carrying the error", async ({ databaseUrl }) => {
    const { orm, secrets } = await callbacksDatabase(databaseUrl);
    await registerEndpoint(orm, secrets, "acc_a", "https://hooks.example.com/pp");
    const event = statusEvent({ status: "failed", error: { code: "TIMEOUT", message: "took too long" } });
    expect(await handleProcessingStatus(event, depsOf(orm))).toBe("enqueued");
    expect(await deliveries(orm)).toMatchObject([
      { event_type: "job.failed", payload: { type: "job.failed", data: { error: { code: "TIMEOUT" } } } },
    ]);
    await orm.close();
  });

  test("running, cancelled and archived jobs are ignored", async ({ databaseUrl }) => {
    const { orm, secrets } = await callbacksDatabase(databaseUrl);
    await registerEndpoint(orm, secrets, "acc_a", "https://hooks.example.com/pp");
    for (const status of ["pending", "extracting", "sending_email", "cancelled", "archived"] as const) {
      expect(await handleProcessingStatus(statusEvent({ status }), depsOf(orm)), status).toBe("not-terminal");
    }
    expect(await deliveries(orm)).toHaveLength(0);
    await orm.close();
  });

  test("a job that finished before the endpoint was registered is not called back", async ({
    databaseUrl,
  }) => {
    const { orm, secrets } = await callbacksDatabase(databaseUrl);
    const event = statusEvent();
    await registerEndpoint(orm, secrets, "acc_a", "https://hooks.example.com/pp", {
      createdAt: new Date(Date.parse(event.completed_at!) + 1),
    });
    expect(await handleProcessingStatus(event, depsOf(orm))).toBe("before-endpoint");
    // A failed job without completed_at is judged by the record's updated_at.
    const failed = statusEvent({
      status: "failed",
      completed_at: null,
      updated_at: "2020-01-01T00:00:00.000Z",
    });
    expect(await handleProcessingStatus(failed, depsOf(orm))).toBe("before-endpoint");
    expect(await deliveries(orm)).toHaveLength(0);
    await orm.close();
  });

  test("an account without an endpoint, or with a disabled one, gets nothing", async ({ databaseUrl }) => {
    const { orm, secrets } = await callbacksDatabase(databaseUrl);
    await registerEndpoint(orm, secrets, "acc_b", "https://hooks.example.com/b", { enabled: false });
    expect(await handleProcessingStatus(statusEvent({ account_id: "acc_a" }), depsOf(orm))).toBe(
      "no-endpoint",
    );
    expect(await handleProcessingStatus(statusEvent({ account_id: "acc_b" }), depsOf(orm))).toBe(
      "no-endpoint",
    );
    expect(await deliveries(orm)).toHaveLength(0);
    await orm.close();
  });
});
