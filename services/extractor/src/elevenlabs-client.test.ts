import { createServer } from "node:net";
import { RetriableError, RetryAfterError } from "@postprocess/kafka";
import {
  type FakeElevenLabs,
  fixtureIds,
  realisticConversation,
  startFakeElevenLabs,
} from "@postprocess/testkit/fakes/elevenlabs";
import { StepError } from "@postprocess/worker";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createElevenLabsClient } from "./elevenlabs-client.ts";

const apiKey = "xi-test-key";
let fake: FakeElevenLabs;
const client = (over: { apiKey?: string | undefined; timeoutMs?: number } = {}) =>
  createElevenLabsClient({ baseUrl: `${fake.url}/`, apiKey, timeoutMs: 2_000, ...over });

/** The error a promise rejects with (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => expect.unreachable("expected a rejection"),
    (err: Error) => err,
  );
}

beforeEach(async () => {
  fake = await startFakeElevenLabs({ apiKey });
  fake.add(realisticConversation());
});
afterEach(() => fake.close());

describe("ElevenLabs client", () => {
  it("fetches and validates a conversation, sending the key in xi-api-key", async () => {
    const c = await client().getConversation(fixtureIds.realistic);
    expect(c).toMatchObject({ conversation_id: fixtureIds.realistic, status: "done", has_audio: true });
    expect(c.transcript).toHaveLength(15);
    expect(c.metadata).toEqual({ start_time_unix_secs: 1749124522, call_duration_secs: 159 });
    expect(fake.requests()).toMatchObject([
      { path: `/v1/convai/conversations/${fixtureIds.realistic}`, authorized: true, status: 200 },
    ]);
  });

  it("names the audio endpoint of a conversation", () => {
    expect(client().audioUrl("conv/1")).toBe(`${fake.url}/v1/convai/conversations/conv%2F1/audio`);
  });

  it("404 → ELEVENLABS_NOT_FOUND naming the conversation", async () => {
    const err = await rejection(client().getConversation("conv_missing"));
    expect(err).toBeInstanceOf(StepError);
    expect((err as StepError).code).toBe("ELEVENLABS_NOT_FOUND");
    expect(err.message).toContain("conv_missing");
  });

  it("401 → ELEVENLABS_UNAUTHORIZED, without echoing the key", async () => {
    const err = await rejection(client({ apiKey: "wrong-key" }).getConversation(fixtureIds.realistic));
    expect((err as StepError).code).toBe("ELEVENLABS_UNAUTHORIZED");
    expect(err.message).toContain("invalid_api_key");
    expect(err.message).not.toContain("wrong-key");
  });

  it("no key configured → ELEVENLABS_UNAUTHORIZED with a clear message, and no request", async () => {
    const err = await rejection(client({ apiKey: undefined }).getConversation(fixtureIds.realistic));
    expect((err as StepError).code).toBe("ELEVENLABS_UNAUTHORIZED");
    expect(err.message).toContain("ELEVENLABS_API_KEY is not configured");
    expect(fake.requests()).toEqual([]);
  });

  it("uses the account's own key when the call passes one, over the deployment's", async () => {
    const c = await client({ apiKey: "deployment-key-of-another-workspace" }).getConversation(
      fixtureIds.realistic,
      {
        apiKey,
      },
    );
    expect(c.conversation_id).toBe(fixtureIds.realistic);
    const err = await rejection(
      client().getConversation(fixtureIds.realistic, { apiKey: "stale-account-key" }),
    );
    expect(err).toMatchObject({ code: "ELEVENLABS_UNAUTHORIZED" });
  });

  it("429 → RetryAfterError carrying Retry-After in ms; the next call succeeds", async () => {
    fake.failNext(fixtureIds.realistic, { kind: "rateLimited", retryAfterSecs: 3 });
    const err = await rejection(client().getConversation(fixtureIds.realistic));
    expect(err).toBeInstanceOf(RetryAfterError);
    expect((err as RetryAfterError).ms).toBe(3000);
    expect((await client().getConversation(fixtureIds.realistic)).status).toBe("done");
  });

  it("500 → RetriableError (not a step failure); the next call succeeds", async () => {
    fake.failNext(fixtureIds.realistic, { kind: "serverError", times: 2, status: 503 });
    const c = client();
    for (let i = 0; i < 2; i++) {
      const err = await rejection(c.getConversation(fixtureIds.realistic));
      expect(err).toBeInstanceOf(RetriableError);
      expect(err).not.toBeInstanceOf(StepError);
      expect(err.message).toContain("HTTP 503");
    }
    expect((await c.getConversation(fixtureIds.realistic)).status).toBe("done");
  });

  it("a response slower than the timeout → RetriableError", async () => {
    fake.failNext(fixtureIds.realistic, { kind: "slow", delayMs: 5_000 });
    const err = await rejection(client({ timeoutMs: 100 }).getConversation(fixtureIds.realistic));
    expect(err).toBeInstanceOf(RetriableError);
    expect(err.message).toContain("did not answer within 100 ms");
  });

  it("a refused connection → RetriableError", async () => {
    const port = await closedPort();
    const c = createElevenLabsClient({ baseUrl: `http://127.0.0.1:${port}`, apiKey, timeoutMs: 2_000 });
    const err = await rejection(c.getConversation("x"));
    expect(err).toBeInstanceOf(RetriableError);
    expect(err.message).toContain("could not reach ElevenLabs");
  });

  it("a body of the wrong shape → INPUT_INVALID saying where", async () => {
    const bad = realisticConversation({ conversation_id: "conv_bad" });
    (bad.transcript[1] as { role: string }).role = "narrator";
    fake.add(bad);
    const err = await rejection(client().getConversation("conv_bad"));
    expect((err as StepError).code).toBe("INPUT_INVALID");
    expect(err.message).toContain("transcript[1].role");
  });
});

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
