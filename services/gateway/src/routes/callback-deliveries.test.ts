import { newProcessingId } from "@postprocess/db";
import { describe, expect } from "vitest";
import { json, type TestGateway, test } from "../test-gateway.ts";

const list = "/api/v1/callbacks/deliveries";

/** Inserts a delivery as the callbacks service would; returns its id. */
async function insertDelivery(
  gw: TestGateway,
  row: { accountId?: string; processingId?: string; status?: string; createdAt: Date; attempts?: number },
): Promise<string> {
  const id = newProcessingId(row.createdAt.getTime()).replace("proc_", "msg_");
  const status = row.status ?? "pending";
  await gw.sql(
    `INSERT INTO callback_deliveries (id, account_id, processing_id, event_type, url, payload, status, attempts,
       next_attempt_at, last_status_code, delivered_at, created_at)
     VALUES (?, ?, ?, 'job.completed', 'https://hooks.example.com/pp', ?::jsonb, ?, ?, ?, ?, ?, ?)`,
    [
      id,
      row.accountId ?? "acc_a",
      row.processingId ?? newProcessingId(),
      JSON.stringify({ type: "job.completed", data: { topic: "Late order" } }),
      status,
      row.attempts ?? 0,
      status === "pending" ? row.createdAt : null,
      status === "succeeded" ? 200 : null,
      status === "succeeded" ? row.createdAt : null,
      row.createdAt,
    ],
  );
  return id;
}

const at = (minutes: number) => new Date(Date.UTC(2026, 10, 26, 10, minutes));

describe("/api/v1/callbacks/deliveries", () => {
  test("lists the account's deliveries newest first, in keyset pages", async ({ gw }) => {
    const oldest = await insertDelivery(gw, { createdAt: at(1), status: "succeeded", attempts: 1 });
    const middle = await insertDelivery(gw, { createdAt: at(2), status: "failed", attempts: 8 });
    const newest = await insertDelivery(gw, { createdAt: at(3) });
    await insertDelivery(gw, { createdAt: at(4), accountId: "acc_b" });

    const first = await json(await gw.request(`${list}?limit=2`));
    expect(first.deliveries.map((d: { id: string }) => d.id)).toEqual([newest, middle]);
    expect(first.deliveries[0]).toEqual({
      id: newest,
      processing_id: expect.stringMatching(/^proc_/),
      type: "job.completed",
      status: "pending",
      attempts: 0,
      url: "https://hooks.example.com/pp",
      next_attempt_at: at(3).toISOString(),
      last_attempt_at: null,
      last_status_code: null,
      last_error: null,
      delivered_at: null,
      created_at: at(3).toISOString(),
    });
    expect(first.next_cursor).toEqual(expect.any(String));

    const second = await json(await gw.request(`${list}?limit=2&cursor=${first.next_cursor}`));
    expect(second.deliveries.map((d: { id: string }) => d.id)).toEqual([oldest]);
    expect(second.next_cursor).toBeNull();
  });

  test("filters by status and by job", async ({ gw }) => {
    const job = newProcessingId();
    const done = await insertDelivery(gw, { createdAt: at(1), status: "succeeded", processingId: job });
    await insertDelivery(gw, { createdAt: at(2), status: "failed" });
    const ids = async (q: string) =>
      (await json(await gw.request(`${list}?${q}`))).deliveries.map((d: { id: string }) => d.id);
    expect(await ids("status=succeeded")).toEqual([done]);
    expect(await ids(`processing_id=${job}`)).toEqual([done]);
    expect(await ids(`processing_id=${job}&status=failed`)).toEqual([]);
  });

  test("bad query parameters are a 400", async ({ gw }) => {
    for (const q of ["status=done", "limit=0", "limit=101", "processing_id=job_1", "cursor=abc"]) {
      const res = await gw.request(`${list}?${q}`);
      expect(res.status, q).toBe(400);
      expect((await json(res)).error.code, q).toBe("INVALID_QUERY");
    }
  });

  test("one delivery with its payload and attempts; another account's is a 404", async ({ gw }) => {
    const id = await insertDelivery(gw, { createdAt: at(1), status: "succeeded", attempts: 2 });
    await gw.sql(
      `INSERT INTO callback_delivery_attempts (delivery_id, attempt, attempted_at, duration_ms, status_code, error)
       VALUES (?, 1, ?, 12, 500, 'HTTP 500'), (?, 2, ?, 8, 200, NULL)`,
      [id, at(1), id, at(2)],
    );
    const res = await gw.request(`${list}/${id}`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      id,
      status: "succeeded",
      attempts: 2,
      payload: { type: "job.completed", data: { topic: "Late order" } },
      attempt_log: [
        {
          attempt: 1,
          attempted_at: at(1).toISOString(),
          duration_ms: 12,
          status_code: 500,
          error: "HTTP 500",
        },
        { attempt: 2, attempted_at: at(2).toISOString(), duration_ms: 8, status_code: 200, error: null },
      ],
    });

    const theirs = await gw.request(`${list}/${id}`, { account: "acc_b" });
    expect(theirs.status).toBe(404);
    expect((await json(theirs)).error.code).toBe("NOT_FOUND");
    expect((await json(await gw.request(list, { account: "acc_b" }))).deliveries).toEqual([]);
    expect((await gw.request(`${list}/msg_nope`)).status).toBe(400);
  });
});
