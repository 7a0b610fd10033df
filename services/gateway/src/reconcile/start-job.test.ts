import {
  realisticConversation,
  transcriptionWebhook as webhookBody,
} from "@postprocess/testkit/fakes/elevenlabs";
import { describe, expect, it } from "vitest";
import { acceptTranscription, transcriptionRequest } from "../webhooks/handle-transcription.ts";
import { transcriptionWebhook } from "../webhooks/payloads.ts";
import { reconciledRequest, reconcileIdempotencyKey, startReconciledJob } from "./start-job.ts";
import { type ReconcileHarness, test } from "./test-reconcile.ts";

/** What the webhook receiver does with a verified transcription webhook of `conversationId`. */
const webhook = (rc: ReconcileHarness, conversationId: string) => {
  const payload = transcriptionWebhook.parse(
    webhookBody(realisticConversation({ conversation_id: conversationId })),
  );
  const request = transcriptionRequest(payload, {
    accountId: "acc_a",
    recipientEmail: "ops@example.com",
    audioBucket: "postprocess",
  });
  return acceptTranscription(rc.gw.orm.em.fork(), rc.deps, { accountId: "acc_a", payload, request });
};

const request = (conversationId: string) => {
  const r = reconciledRequest(conversationId, "agent_1", "ops@example.com");
  if ("invalid" in r) throw new Error(r.invalid);
  return r;
};

describe("startReconciledJob", () => {
  test("re-checks under the conversation's locks: a job that finished since the listing is not redone", async ({
    rc,
  }) => {
    // submitConversation alone would start this one: its only job is finished, so none is active.
    await rc.gw.insertJob({ conversationId: "conv_done", status: "completed" });
    const outcome = await startReconciledJob(rc.gw.orm, rc.deps, {
      accountId: "acc_a",
      request: request("conv_done"),
    });
    expect(outcome).toEqual({ kind: "handled" });
    expect(rc.published).toEqual([]);
  });

  test("a transcription receipt that arrived since the listing counts too; a start otherwise happens once", async ({
    rc,
  }) => {
    await rc.gw.sql(
      `INSERT INTO elevenlabs_webhook_receipts (account_id, webhook_type, conversation_id)
       VALUES ('acc_a', 'post_call_transcription', 'conv_webhook')`,
    );
    const job = (id: string) => ({ accountId: "acc_a", request: request(id) });
    expect(await startReconciledJob(rc.gw.orm, rc.deps, job("conv_webhook"))).toEqual({ kind: "handled" });
    const first = await startReconciledJob(rc.gw.orm, rc.deps, job("conv_new"));
    expect(first).toEqual({ kind: "started", processingId: expect.stringMatching(/^proc_/) });
    expect(await startReconciledJob(rc.gw.orm, rc.deps, job("conv_new"))).toEqual({ kind: "handled" });
    // The same conversation of another account is another job.
    expect(
      (await startReconciledJob(rc.gw.orm, rc.deps, { ...job("conv_new"), accountId: "acc_b" })).kind,
    ).toBe("started");
    expect(rc.published.map((e) => [e.account_id, e.conversation_id])).toEqual([
      ["acc_a", "conv_new"],
      ["acc_b", "conv_new"],
    ]);
  });
});

describe("the sweep and the webhook receiver", () => {
  const sweep = (rc: ReconcileHarness, id: string) =>
    startReconciledJob(rc.gw.orm, rc.deps, { accountId: "acc_a", request: request(id) });

  test("converge on one job per conversation, whichever comes first or both at once", async ({ rc }) => {
    expect((await webhook(rc, "conv_hook_first")).status).toBe("accepted");
    expect(await sweep(rc, "conv_hook_first")).toEqual({ kind: "handled" });

    expect((await sweep(rc, "conv_sweep_first")).kind).toBe("started");
    expect((await webhook(rc, "conv_sweep_first")).status).toBe("existing");

    const [hook, swept] = await Promise.all([webhook(rc, "conv_race"), sweep(rc, "conv_race")]);
    expect([hook.status === "accepted", swept.kind === "started"].filter(Boolean)).toHaveLength(1);

    expect(rc.published.map((e) => e.conversation_id).sort()).toEqual([
      "conv_hook_first",
      "conv_race",
      "conv_sweep_first",
    ]);
  });
});

describe("reconcileIdempotencyKey", () => {
  it("names the conversation, and hashes ids too long for the 255-character key column", () => {
    expect(reconcileIdempotencyKey("conv_01abc")).toBe("elevenlabs-conversation/conv_01abc");
    const long = reconcileIdempotencyKey("c".repeat(255));
    expect(long).toMatch(/^elevenlabs-conversation\/sha256:[0-9a-f]{64}$/);
    expect(reconcileIdempotencyKey("c".repeat(255))).toBe(long);
  });
});

describe("reconciledRequest", () => {
  it("is an elevenlabs-sourced submission to the integration's recipient, or says what is invalid", () => {
    expect(reconciledRequest("conv_1", "agent_1", "ops@example.com")).toEqual({
      conversation_id: "conv_1",
      email_id: "ops@example.com",
      source: { kind: "elevenlabs", agent_id: "agent_1" },
    });
    expect(reconciledRequest("conv 1", "agent_1", "not-an-email")).toEqual({
      invalid: "conversation_id, email_id",
    });
  });
});
