import { describe, expect } from "vitest";
import { json, test } from "../test-gateway.ts";

const cancel = (id: string) => `/api/v1/postprocess/${id}/cancel`;

describe("POST /api/v1/postprocess/:processing_id/cancel", () => {
  test("cancels a running job: 202 and a cancel-requested event", async ({ gw }) => {
    const id = await gw.insertJob({ conversationId: "conv_1", status: "summarizing", progress: 60 });
    const res = await gw.post(cancel(id), { reason: "customer hung up twice" });
    expect(res.status).toBe(202);
    expect(await json(res)).toEqual({ processing_id: id, status: "cancel_requested" });
    expect(gw.published).toEqual([
      {
        topic: "cancelRequested",
        event: {
          event_id: expect.stringMatching(/^evt_/),
          occurred_at: gw.clock.now.toISOString(),
          processing_id: id,
          conversation_id: "conv_1",
          account_id: "acc_a",
          reason: "customer hung up twice",
        },
      },
    ]);
  });

  test("an empty body is fine, with or without a JSON content type", async ({ gw }) => {
    const id = await gw.insertJob({ conversationId: "conv_1" });
    expect((await gw.request(cancel(id), { method: "POST" })).status).toBe(202);
    expect(
      (
        await gw.request(cancel(id), {
          method: "POST",
          body: "",
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(202);
    expect(gw.published.map((p) => p.event)).toMatchObject([{ reason: null }, { reason: null }]);
  });

  test("a job accepted but not yet projected can be cancelled", async ({ gw }) => {
    const { processing_id } = await json(
      await gw.post("/api/v1/postprocess/conversation", {
        conversation_id: "conv_9",
        email_id: "a@b.io",
        source: { kind: "elevenlabs" },
      }),
    );
    const res = await gw.post(cancel(processing_id), {});
    expect(res.status).toBe(202);
    expect(gw.published.at(-1)).toMatchObject({
      topic: "cancelRequested",
      event: { processing_id, conversation_id: "conv_9", account_id: "acc_a" },
    });
  });

  test("a finished job is a 409", async ({ gw }) => {
    for (const status of ["completed", "failed", "cancelled", "archived"]) {
      const id = await gw.insertJob({ conversationId: `conv_${status}`, status });
      const res = await gw.post(cancel(id), {});
      expect(res.status, status).toBe(409);
      expect((await json(res)).error).toMatchObject({
        code: "JOB_FINISHED",
        requestId: res.headers.get("x-request-id"),
      });
    }
    expect(gw.published).toHaveLength(0);
  });

  test("unknown and other accounts' jobs are a 404; bad ids a 400", async ({ gw }) => {
    const theirs = await gw.insertJob({ conversationId: "conv_1", accountId: "acc_b" });
    for (const id of [theirs, "proc_01JDX0000000000000000000AB"]) {
      const res = await gw.post(cancel(id), {});
      expect(res.status).toBe(404);
      expect((await json(res)).error.code).toBe("NOT_FOUND");
    }
    const bad = await gw.post(cancel("proc_nope"), {});
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe("INVALID_ID");
    expect(gw.published).toHaveLength(0);
  });

  test("bad bodies: unknown fields 422, malformed JSON 400, wrong type 415; publish failure 503", async ({
    gw,
  }) => {
    const id = await gw.insertJob({ conversationId: "conv_1" });
    const unknown = await gw.post(cancel(id), { reason: "x", force: true });
    expect(unknown.status).toBe(422);
    expect((await json(unknown)).error.details).toEqual([{ path: "force", message: "unknown field" }]);
    expect((await gw.post(cancel(id), "{")).status).toBe(400);
    const text = await gw.request(cancel(id), {
      method: "POST",
      body: "stop",
      headers: { "content-type": "text/plain" },
    });
    expect(text.status).toBe(415);

    gw.publishError = new Error("broker down");
    const down = await gw.post(cancel(id), {});
    expect(down.status).toBe(503);
    expect((await json(down)).error.code).toBe("UNAVAILABLE");
    expect(gw.published).toHaveLength(0);
  });
});
