import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect } from "vitest";
import { processingIdForKey } from "../idempotency.ts";
import { submitConversation } from "../submit-conversation.ts";
import { reconcileIdempotencyKey } from "./start-job.ts";
import { AGENT, EL_KEY, HOUR, isoAgo, listRequests, MIN, test } from "./test-reconcile.ts";
import { defaultReconcilePolicy } from "./window.ts";

const ids = (events: { conversation_id: string }[]) => events.map((e) => e.conversation_id);

describe("reconcileAccount", () => {
  test("lists every page and starts jobs only for finished calls that have neither a job nor a transcription receipt", async ({
    rc,
  }) => {
    const { gw } = rc;
    await rc.addIntegration("acc_a");
    for (const [id, hours] of [
      ["d1", 2],
      ["d2", 3],
      ["d3", 4],
      ["d4", 5],
    ] as const)
      rc.addCall(id, { startedAgoMs: hours * HOUR });
    // Already handled: a finished job, a failed job, a transcription receipt, a submission not projected yet.
    rc.addCall("c_completed", { startedAgoMs: 6 * HOUR });
    await gw.insertJob({ conversationId: "c_completed", status: "completed" });
    rc.addCall("c_failed_job", { startedAgoMs: 7 * HOUR });
    await gw.insertJob({ conversationId: "c_failed_job", status: "failed" });
    rc.addCall("c_receipt", { startedAgoMs: 8 * HOUR });
    rc.addCall("c_submitted", { startedAgoMs: 8.5 * HOUR });
    await submitConversation(gw.orm.em.fork(), rc.deps, {
      accountId: "acc_a",
      request: { conversation_id: "c_submitted", email_id: "me@example.com", source: { kind: "elevenlabs" } },
      idempotencyKey: undefined,
    });
    rc.published.length = 0;
    // Only the audio webhook arrived: the transcription one is what was missed, so this one is started.
    rc.addCall("c_audio_receipt", { startedAgoMs: 9 * HOUR });
    await gw.sql(
      `INSERT INTO elevenlabs_webhook_receipts (account_id, webhook_type, conversation_id)
       VALUES ('acc_a', 'post_call_transcription', 'c_receipt'), ('acc_a', 'post_call_audio', 'c_audio_receipt')`,
    );
    // Not (yet) to be started: still running; ended 5 min ago (grace is 10); failed at ElevenLabs.
    rc.addCall("c_running", { status: "in-progress", startedAgoMs: 30 * MIN });
    rc.addCall("c_recent", { startedAgoMs: 15 * MIN, durationSecs: 600 });
    rc.addCall("c_failed", { status: "failed", startedAgoMs: 3 * HOUR });
    // Not listed at all: another agent's call, and one before the first run's 24 h lookback.
    rc.addCall("c_other_agent", { startedAgoMs: 2 * HOUR, agentId: "agent_other" });
    rc.addCall("c_old", { startedAgoMs: 30 * HOUR });

    const updatedAt = () =>
      gw.sql("SELECT updated_at FROM elevenlabs_integrations WHERE account_id = 'acc_a'");
    const configuredAt = await updatedAt();
    const report = await rc.run("acc_a", { policy: { ...defaultReconcilePolicy, pageSize: 5 } });

    expect(report).toMatchObject({
      outcome: "complete",
      pages: 3,
      listed: 12,
      alreadyHandled: 4,
      pending: 2,
    });
    const started = ["d1", "d2", "d3", "d4", "c_audio_receipt"];
    expect(report.started.map((s) => s.conversationId)).toEqual(started);
    expect(ids(rc.published)).toEqual(started);
    for (const event of rc.published) {
      expect(event).toMatchObject({
        account_id: "acc_a",
        email_id: "ops@example.com",
        source: { kind: "elevenlabs", agent_id: AGENT, transcript: [] },
        // Deterministic: a second sweep, or another replica, lands on the same job.
        processing_id: processingIdForKey("acc_a", reconcileIdempotencyKey(event.conversation_id)),
      });
    }
    const requests = listRequests(rc);
    expect(requests.map((r) => [r.status, r.authorized, r.query.agent_id, "cursor" in r.query])).toEqual([
      [200, true, AGENT, false],
      [200, true, AGENT, true],
      [200, true, AGENT, true],
    ]);
    expect(requests[0]?.query).toMatchObject({
      page_size: "5",
      call_start_after_unix: String(Date.parse(isoAgo(rc, 24 * HOUR)) / 1000 - 1),
      call_start_before_unix: String(Date.parse(isoAgo(rc, 10 * MIN)) / 1000 + 1),
    });
    // Held back to the earliest call still pending, so the next run lists it again.
    expect(await rc.progress("acc_a")).toEqual({
      reconciledUntil: isoAgo(rc, 30 * MIN),
      resumeBefore: null,
      notBefore: null,
    });
    // The sweep's bookkeeping is not a configuration change.
    expect(await updatedAt()).toEqual(configuredAt);
  });

  test("a later run starts what was pending; the mark then moves to now − grace and the next run starts nothing", async ({
    rc,
  }) => {
    await rc.addIntegration("acc_a");
    rc.addCall("d1", { startedAgoMs: 2 * HOUR });
    rc.addCall("c_running", { status: "in-progress", startedAgoMs: 30 * MIN });
    rc.addCall("c_recent", { startedAgoMs: 15 * MIN, durationSecs: 600 });
    expect((await rc.run("acc_a")).started.map((s) => s.conversationId)).toEqual(["d1"]);
    const mark = (await rc.progress("acc_a")).reconciledUntil;
    expect(mark).toBe(isoAgo(rc, 30 * MIN));

    // 20 minutes on, the running call is over (it lasted 20 minutes) and the recent one is past the grace.
    rc.clock.now = new Date(rc.clock.now.getTime() + 20 * MIN);
    rc.addCall("c_running", { startedAgoMs: 50 * MIN, durationSecs: 20 * 60 });
    const second = await rc.run("acc_a");
    expect(second.started.map((s) => s.conversationId)).toEqual(["c_recent", "c_running"]);
    expect(listRequests(rc).at(-1)?.query.call_start_after_unix).toBe(
      String(Date.parse(mark!) / 1000 - 3600 - 1),
    );
    expect((await rc.progress("acc_a")).reconciledUntil).toBe(isoAgo(rc, 10 * MIN));

    const third = await rc.run("acc_a");
    expect(third).toMatchObject({ outcome: "complete", started: [], alreadyHandled: 2, pending: 0 });
    expect(ids(rc.published)).toEqual(["d1", "c_recent", "c_running"]);
  });

  test("a run stopped at the page bound resumes below where it stopped; the mark waits for the rest", async ({
    rc,
  }) => {
    await rc.addIntegration("acc_a");
    for (let h = 1; h <= 6; h++) rc.addCall(`d${h}`, { startedAgoMs: h * HOUR });
    const policy = { ...defaultReconcilePolicy, pageSize: 2, maxPages: 2 };

    const first = await rc.run("acc_a", { policy });
    expect(first).toMatchObject({ outcome: "partial", pages: 2 });
    expect(first.started.map((s) => s.conversationId)).toEqual(["d1", "d2", "d3", "d4"]);
    const resumeAt = new Date(Date.parse(isoAgo(rc, 4 * HOUR)) + 1000).toISOString();
    expect(await rc.progress("acc_a")).toEqual({
      reconciledUntil: null,
      resumeBefore: resumeAt,
      notBefore: null,
    });

    const second = await rc.run("acc_a", { policy });
    expect(second).toMatchObject({ outcome: "complete", alreadyHandled: 1 });
    expect(second.started.map((s) => s.conversationId)).toEqual(["d5", "d6"]);
    expect(listRequests(rc).at(-1)?.query.call_start_before_unix).toBe(
      String(Date.parse(resumeAt) / 1000 + 1),
    );
    expect(await rc.progress("acc_a")).toEqual({
      reconciledUntil: resumeAt,
      resumeBefore: null,
      notBefore: null,
    });

    const third = await rc.run("acc_a", { policy: { ...policy, maxPages: 10 } });
    expect(third).toMatchObject({ outcome: "complete", started: [] });
    expect((await rc.progress("acc_a")).reconciledUntil).toBe(isoAgo(rc, 10 * MIN));
    expect(rc.published).toHaveLength(6);
  });

  test("two runs of one account at once (a lost leader lock) start each job once", async ({ rc }) => {
    await rc.addIntegration("acc_a");
    for (let h = 1; h <= 6; h++) rc.addCall(`d${h}`, { startedAgoMs: h * HOUR });
    const policy = { ...defaultReconcilePolicy, pageSize: 2 };
    const [a, b] = await Promise.all([rc.run("acc_a", { policy }), rc.run("acc_a", { policy })]);
    expect(a.started.length + b.started.length).toBe(6);
    expect(a.alreadyHandled + b.alreadyHandled).toBe(6);
    expect(new Set(ids(rc.published)).size).toBe(6);
    expect(rc.published).toHaveLength(6);
    const [{ n }] = (await rc.gw.sql("SELECT count(*)::int AS n FROM gateway_submissions")) as [
      { n: number },
    ];
    expect(n).toBe(6);
  });

  test("the key goes to the ElevenLabs host only: a redirect elsewhere is not followed, the run stops", async ({
    rc,
  }) => {
    const seen: string[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(String(req.headers["xi-api-key"]));
      res.end('{"conversations":[],"next_cursor":null,"has_more":false}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    try {
      await rc.addIntegration("acc_a");
      rc.addCall("d1", { startedAgoMs: 2 * HOUR });
      const { port } = elsewhere.address() as AddressInfo;
      rc.fake.failNextList({
        kind: "redirect",
        location: `http://127.0.0.1:${port}/v1/convai/conversations`,
      });
      const report = await rc.run("acc_a");
      expect(report).toMatchObject({ outcome: "unavailable", pages: 0, started: [] });
      expect(seen).toEqual([]);
      expect(rc.fake.requests().map((r) => [r.status, r.authorized])).toEqual([[307, true]]);
      expect(await rc.progress("acc_a")).toEqual({
        reconciledUntil: null,
        resumeBefore: null,
        notBefore: null,
      });
      expect(JSON.stringify(rc.logs)).not.toContain(EL_KEY);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });
});
