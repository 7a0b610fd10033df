import { waitFor } from "@postprocess/testkit";
import { describe, expect } from "vitest";
import { inlineConversation as inline, json, type TestGateway, test } from "./test-gateway.ts";

const PATH = "/api/v1/postprocess/conversation";

const submissions = (gw: TestGateway) => gw.sql("SELECT * FROM gateway_submissions ORDER BY created_at");

describe("submitConversation, through POST /api/v1/postprocess/conversation", () => {
  describe("Idempotency-Key", () => {
    test("the same key and body replay the first answer, publishing nothing more", async ({ gw }) => {
      const headers = { "idempotency-key": "order-42/attempt" };
      const first = await gw.post(PATH, inline, { headers });
      expect(first.status).toBe(202);
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      const firstBody = await json(first);

      // The same body with its keys in another order is the same request.
      const reordered = {
        labels: inline.labels,
        source: inline.source,
        email_id: inline.email_id,
        conversation_id: "conv_1",
      };
      const second = await gw.post(PATH, reordered, { headers });
      expect(second.status).toBe(202);
      expect(second.headers.get("idempotent-replayed")).toBe("true");
      expect(await json(second)).toEqual(firstBody);
      expect(gw.published).toHaveLength(1);
      expect(await submissions(gw)).toHaveLength(1);
    });

    test("the processing id is derived from (account, key): a retry lands on the same job", async ({
      gw,
    }) => {
      const headers = { "idempotency-key": "k-1" };
      const a = await json(await gw.post(PATH, inline, { headers }));
      // The first attempt's row is gone (e.g. its commit failed after the publish): the retry still gets the same id.
      await gw.sql("DELETE FROM gateway_submissions");
      const b = await json(await gw.post(PATH, inline, { headers }));
      expect(b.processing_id).toBe(a.processing_id);
      // Another account with the same key gets another job.
      const c = await json(await gw.post(PATH, inline, { headers, account: "acc_b" }));
      expect(c.processing_id).not.toBe(a.processing_id);
    });

    test("the same key with a different body is a 409", async ({ gw }) => {
      const headers = { "idempotency-key": "k-1" };
      expect((await gw.post(PATH, inline, { headers })).status).toBe(202);
      for (const other of [
        { ...inline, email_id: "other@example.com" },
        { ...inline, conversation_id: "conv_2" },
      ]) {
        const res = await gw.post(PATH, other, { headers });
        expect(res.status).toBe(409);
        expect((await json(res)).error).toMatchObject({
          code: "IDEMPOTENCY_KEY_REUSED",
          requestId: expect.any(String),
        });
      }
      expect(gw.published).toHaveLength(1);
    });

    test("a malformed key is a 400", async ({ gw }) => {
      const res = await gw.post(PATH, inline, { headers: { "idempotency-key": "x".repeat(256) } });
      expect(res.status).toBe(400);
      expect((await json(res)).error.code).toBe("INVALID_IDEMPOTENCY_KEY");
    });
  });

  describe("one active job per conversation", () => {
    test("resubmitting while the first is still unprojected returns it (200, existing)", async ({ gw }) => {
      const first = await json(await gw.post(PATH, inline));
      const res = await gw.post(PATH, inline);
      expect(res.status).toBe(200);
      expect(await json(res)).toEqual({
        processing_id: first.processing_id,
        status: "pending",
        status_url: first.status_url,
        existing: true,
      });
      expect(gw.published).toHaveLength(1);
    });

    test("resubmitting while the projected job runs returns it with its status", async ({ gw }) => {
      const id = await gw.insertJob({ conversationId: "conv_1", status: "summarizing", progress: 60 });
      const res = await gw.post(PATH, inline);
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ processing_id: id, status: "summarizing", existing: true });
      expect(gw.published).toHaveLength(0);
    });

    test("a finished job allows a new one", async ({ gw }) => {
      for (const status of ["completed", "failed", "cancelled", "archived"]) {
        await gw.insertJob({ conversationId: "conv_1", status, progress: 100 });
      }
      const res = await gw.post(PATH, inline);
      expect(res.status).toBe(202);
      expect(gw.published).toHaveLength(1);
    });

    test("a submission the projector turned into a finished job no longer blocks", async ({ gw }) => {
      const first = await json(await gw.post(PATH, inline));
      await gw.insertJob({
        processingId: first.processing_id,
        conversationId: "conv_1",
        status: "completed",
        progress: 100,
      });
      const res = await gw.post(PATH, inline);
      expect(res.status).toBe(202);
      expect((await json(res)).processing_id).not.toBe(first.processing_id);
    });

    test("an unprojected submission older than the window no longer blocks (its event was likely lost)", async ({
      gw,
    }) => {
      const first = await json(await gw.post(PATH, inline));
      gw.clock.now = new Date(gw.clock.now.getTime() + 16 * 60_000);
      const res = await gw.post(PATH, inline);
      expect(res.status).toBe(202);
      expect((await json(res)).processing_id).not.toBe(first.processing_id);
    });

    test("other conversations and other accounts are independent", async ({ gw }) => {
      expect((await gw.post(PATH, inline)).status).toBe(202);
      expect((await gw.post(PATH, { ...inline, conversation_id: "conv_2" })).status).toBe(202);
      expect((await gw.post(PATH, inline, { account: "acc_b" })).status).toBe(202);
      expect(gw.published).toHaveLength(3);
    });

    test("two concurrent submissions of one conversation make one job and one publish", async ({ gw }) => {
      // Hold the first publish until the second request is queued on the advisory lock, so the two
      // requests really overlap instead of merely running one after the other.
      let held = false;
      gw.beforePublish = async () => {
        if (held) return;
        held = true;
        await waitFor("the second submission to wait on the conversation's advisory lock", async () => {
          const [row] = await gw.sql<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_locks
              WHERE locktype = 'advisory' AND NOT granted
                AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          );
          return row!.n > 0;
        });
      };
      const [a, b] = await Promise.all([gw.post(PATH, inline), gw.post(PATH, inline)]);
      expect([a.status, b.status].sort()).toEqual([200, 202]);
      const [bodyA, bodyB] = [await json(a), await json(b)];
      expect(bodyA.processing_id).toBe(bodyB.processing_id);
      expect(gw.published).toHaveLength(1);
      expect(await submissions(gw)).toHaveLength(1);
    });
  });

  test("a publish failure is a 503 and leaves no submission behind", async ({ gw }) => {
    gw.publishError = new Error("broker unreachable: connect ECONNREFUSED 127.0.0.1:19092");
    const res = await gw.post(PATH, inline, { headers: { "idempotency-key": "k-1" } });
    expect(res.status).toBe(503);
    const { error } = await json(res);
    expect(error).toEqual({
      code: "UNAVAILABLE",
      message: expect.any(String),
      requestId: res.headers.get("x-request-id"),
    });
    expect(JSON.stringify(error)).not.toContain("ECONNREFUSED");
    expect(await submissions(gw)).toHaveLength(0);
    expect(
      gw.logs.some(
        (l) => l.level === "error" && (l.obj as { requestId?: string }).requestId === error.requestId,
      ),
    ).toBe(true);

    // Once the broker is back, the client's retry goes through as a fresh submission.
    gw.publishError = undefined;
    expect((await gw.post(PATH, inline, { headers: { "idempotency-key": "k-1" } })).status).toBe(202);
    expect(await submissions(gw)).toHaveLength(1);
  });
});
