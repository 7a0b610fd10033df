import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type FakeElevenLabs,
  realisticConversation,
  startFakeElevenLabs,
} from "@postprocess/testkit/fakes/elevenlabs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createElevenLabsLister,
  ElevenLabsRateLimitedError,
  ElevenLabsUnauthorizedError,
  ElevenLabsUnavailableError,
  type ListQuery,
} from "./elevenlabs-list.ts";

const KEY = "xi-secret-key-0123456789";
let fake: FakeElevenLabs;
beforeEach(async () => {
  fake = await startFakeElevenLabs({ apiKey: KEY });
  for (let i = 1; i <= 5; i++) {
    const base = realisticConversation();
    fake.add(
      realisticConversation({
        conversation_id: `conv_${i}`,
        agent_id: i === 5 ? "agent_other" : base.agent_id,
        metadata: { ...base.metadata, start_time_unix_secs: 1_800_000_000 + i * 60 },
      }),
    );
  }
});
afterEach(() => fake.close());

const query = (over: Partial<ListQuery> = {}): ListQuery => ({
  apiKey: KEY,
  agentId: realisticConversation().agent_id,
  startedAfterSecs: 1_800_000_000,
  startedBeforeSecs: 1_900_000_000,
  pageSize: 2,
  cursor: null,
  ...over,
});

describe("ElevenLabs list client", () => {
  it("sends the key, the window, the agent and the cursor, and follows next_cursor to the last page", async () => {
    const lister = createElevenLabsLister({ baseUrl: `${fake.url}/`, timeoutMs: 5_000 });
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const page = await lister.listConversations(query({ cursor }));
      pages.push(page.conversations.map((c) => c.conversation_id));
      expect(page.hasMore).toBe(page.nextCursor !== null);
      cursor = page.nextCursor;
    } while (cursor);
    expect(pages).toEqual([
      ["conv_4", "conv_3"],
      ["conv_2", "conv_1"],
    ]);
    const [first, second] = fake.requests();
    expect(first).toMatchObject({
      authorized: true,
      path: "/v1/convai/conversations",
      query: {
        page_size: "2",
        call_start_after_unix: "1800000000",
        call_start_before_unix: "1900000000",
        agent_id: realisticConversation().agent_id,
      },
    });
    expect(second?.query.cursor).toEqual(expect.any(String));
    const [one] = (await lister.listConversations(query({ agentId: null, pageSize: 1 }))).conversations;
    expect(one).toMatchObject({ conversation_id: "conv_5", status: "done", call_duration_secs: 159 });
  });

  it("classifies failures: 401 refused key, 429 with its Retry-After, 5xx unavailable; never echoing the key", async () => {
    const lister = createElevenLabsLister({ baseUrl: fake.url, timeoutMs: 5_000 });
    const refused = await lister.listConversations(query({ apiKey: "wrong" })).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ElevenLabsUnauthorizedError);
    fake.failNextList({ kind: "rateLimited", retryAfterSecs: 7 });
    const limited = await lister.listConversations(query()).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(ElevenLabsRateLimitedError);
    expect((limited as ElevenLabsRateLimitedError).retryAfterMs).toBe(7_000);
    fake.failNextList({ kind: "serverError", status: 502 });
    const down = await lister.listConversations(query()).catch((e: unknown) => e);
    expect(down).toBeInstanceOf(ElevenLabsUnavailableError);
    for (const err of [refused, limited, down]) expect(String((err as Error).message)).not.toContain(KEY);
  });

  it("times out a slow answer as unavailable", async () => {
    fake.failNextList({ kind: "slow", delayMs: 5_000 });
    const lister = createElevenLabsLister({ baseUrl: fake.url, timeoutMs: 100 });
    await expect(lister.listConversations(query())).rejects.toBeInstanceOf(ElevenLabsUnavailableError);
  });

  it("does not follow a redirect: the key never reaches another host", async () => {
    const seen: IncomingHttpHeaders[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(req.headers);
      res.end('{"conversations":[],"next_cursor":null,"has_more":false}');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = elsewhere.address() as AddressInfo;
      fake.failNextList({ kind: "redirect", location: `http://127.0.0.1:${port}/v1/convai/conversations` });
      const lister = createElevenLabsLister({ baseUrl: fake.url, timeoutMs: 5_000 });
      await expect(lister.listConversations(query())).rejects.toBeInstanceOf(ElevenLabsUnavailableError);
      // Plain fetch would have followed it, key and all: the reason for `redirect: "manual"`.
      fake.failNextList({ kind: "redirect", location: `http://127.0.0.1:${port}/v1/convai/conversations` });
      await fetch(`${fake.url}/v1/convai/conversations`, { headers: { "xi-api-key": KEY } });
      expect(seen.map((h) => h["xi-api-key"])).toEqual([KEY]);
    } finally {
      await new Promise((resolve) => elsewhere.close(resolve));
    }
  });
});
