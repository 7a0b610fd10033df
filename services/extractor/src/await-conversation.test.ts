import {
  type FakeElevenLabs,
  fixtureIds,
  realisticConversation,
  startFakeElevenLabs,
} from "@postprocess/testkit/fakes/elevenlabs";
import { StepError } from "@postprocess/worker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { awaitFinishedConversation, ConversationNotReadyError } from "./await-conversation.ts";
import { createElevenLabsClient, type ElevenLabsClient } from "./elevenlabs-client.ts";

let fake: FakeElevenLabs;
let client: ElevenLabsClient;
const id = fixtureIds.realistic;
const polls = () => fake.requests().filter((r) => r.conversationId === id).length;

beforeEach(async () => {
  fake = await startFakeElevenLabs({ apiKey: "k" });
  fake.add(realisticConversation());
  client = createElevenLabsClient({ baseUrl: fake.url, apiKey: "k", timeoutMs: 2_000 });
});
afterEach(() => fake.close());

describe("awaitFinishedConversation", () => {
  it("returns a done conversation after one request", async () => {
    expect((await awaitFinishedConversation(client, id, { maxWaitMs: 0 })).status).toBe("done");
    expect(polls()).toBe(1);
  });

  it("polls while the conversation is in progress or processing, then returns it done", async () => {
    fake.failNext(id, { kind: "processing", polls: 1, status: "in-progress" });
    fake.failNext(id, { kind: "processing", polls: 2 });
    const c = await awaitFinishedConversation(client, id, { maxWaitMs: 5_000, pollBaseMs: 5 });
    expect(c.status).toBe("done");
    expect(polls()).toBe(4);
  });

  it("gives up past its bound with a retriable ConversationNotReadyError", async () => {
    fake.failNext(id, { kind: "processing", polls: Infinity });
    const started = performance.now();
    const err = await awaitFinishedConversation(client, id, { maxWaitMs: 60, pollBaseMs: 10 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(ConversationNotReadyError);
    expect(err.message).toContain('still "processing"');
    // It looked again (10 ms, then 20 ms pauses) but never paused past the bound (a 40 ms pause would).
    expect(polls()).toBeGreaterThanOrEqual(2);
    expect(polls()).toBeLessThanOrEqual(3);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it("fails a failed conversation with ELEVENLABS_CONVERSATION_FAILED at once", async () => {
    fake.failNext(id, { kind: "failed" });
    const err = await awaitFinishedConversation(client, id, { maxWaitMs: 5_000 }).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.code).toBe("ELEVENLABS_CONVERSATION_FAILED");
    expect(polls()).toBe(1);
  });

  it("stops polling when the job is cancelled meanwhile", async () => {
    fake.failNext(id, { kind: "processing", polls: Infinity });
    const cancelled = new Error("cancelled");
    const err = await awaitFinishedConversation(client, id, {
      maxWaitMs: 5_000,
      pollBaseMs: 5,
      checkCancelled: async () => {
        if (polls() >= 2) throw cancelled;
      },
    }).catch((e) => e);
    expect(err).toBe(cancelled);
    expect(polls()).toBe(2);
  });
});
