import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fakeMp3, MP3_FRAME_BYTES } from "./audio.ts";
import { fixtureIds, noAudioConversation, realisticConversation } from "./fixtures.ts";
import { type FakeElevenLabs, startFakeElevenLabs } from "./server.ts";
import type { WireConversation, WireConversationsPage } from "./wire.ts";

const key = "test-key";
let fake: FakeElevenLabs;
const get = (path: string, apiKey: string | null = key) =>
  fetch(`${fake.url}${path}`, { headers: apiKey ? { "xi-api-key": apiKey } : {} });
const conv = (id: string = fixtureIds.realistic) => `/v1/convai/conversations/${id}`;
const statusOf = async () => ((await (await get(conv())).json()) as WireConversation).status;
const page = async (path: string) => (await (await get(path)).json()) as WireConversationsPage;

beforeEach(async () => {
  fake = await startFakeElevenLabs({ apiKey: key });
  fake.add(realisticConversation(), { audioBytes: 3 * MP3_FRAME_BYTES + 100 });
  fake.add(noAudioConversation());
});
afterEach(() => fake.close());

describe("fake ElevenLabs", () => {
  it("serves a conversation in snake_case behind xi-api-key, and refuses a wrong or missing key", async () => {
    const ok = await get(conv());
    expect(ok.headers.get("content-type")).toBe("application/json");
    const body = (await ok.json()) as WireConversation;
    expect(body).toMatchObject({ conversation_id: fixtureIds.realistic, status: "done", has_audio: true });
    expect(body.transcript[4]).toMatchObject({
      message: null,
      tool_calls: [{ tool_name: "language_detection" }],
    });
    for (const k of ["wrong", null]) {
      const denied = await get(conv(), k);
      expect(denied.status).toBe(401);
      expect(await denied.json()).toEqual({
        detail: { status: "invalid_api_key", message: "Invalid API key" },
      });
    }
    expect(fake.requests().map((r) => [r.status, r.authorized])).toEqual([
      [200, true],
      [401, false],
      [401, false],
    ]);
  });

  it("answers 404 in the API's error shape for unknown ids and for audio of a call without any", async () => {
    const missing = await get(conv("conv_nope"));
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { detail: { status: string } }).detail.status).toBe("not_found");
    expect((await get(`${conv(fixtureIds.noAudio)}/audio`)).status).toBe(404);
  });

  it("streams deterministic MP3 frames as audio/mpeg", async () => {
    const res = await get(`${conv()}/audio`);
    expect(res.headers.get("content-type")).toBe("audio/mpeg");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(3 * MP3_FRAME_BYTES + 100);
    expect(bytes.subarray(MP3_FRAME_BYTES, MP3_FRAME_BYTES + 4)).toEqual(
      Buffer.from([0xff, 0xfb, 0x90, 0x64]),
    );
    const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(sha(bytes)).toBe(sha(fakeMp3(bytes.length)));
  });

  it("injects faults per conversation: 429 with Retry-After, 500s, processing then done, failed", async () => {
    fake.failNext(fixtureIds.realistic, { kind: "rateLimited", retryAfterSecs: 2 });
    fake.failNext(fixtureIds.realistic, { kind: "serverError", times: 2 });
    fake.failNext(fixtureIds.realistic, { kind: "processing", polls: 1 });
    const limited = await get(conv());
    expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "2"]);
    expect((await get(conv(fixtureIds.noAudio))).status).toBe(200); // other conversations are unaffected
    expect([(await get(conv())).status, (await get(conv())).status]).toEqual([500, 500]);
    expect(await statusOf()).toBe("processing");
    expect(await statusOf()).toBe("done");
    fake.failNext(fixtureIds.realistic, { kind: "failed" });
    expect(await statusOf()).toBe("failed");
  });

  it("delays a slow response, and a client that gives up gets nothing", async () => {
    fake.failNext(fixtureIds.realistic, { kind: "slow", delayMs: 5_000 });
    await expect(
      fetch(`${fake.url}${conv()}`, { headers: { "xi-api-key": key }, signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect((await get(conv())).status).toBe(200);
  });

  it("lists conversations newest first, paginated by an opaque cursor", async () => {
    fake.add(
      realisticConversation({
        conversation_id: "conv_newer",
        metadata: { ...realisticConversation().metadata, start_time_unix_secs: 1_900_000_000 },
      }),
    );
    const first = await page("/v1/convai/conversations?page_size=2");
    expect(first.conversations.map((c) => c.conversation_id)).toEqual(["conv_newer", fixtureIds.noAudio]);
    expect(first.conversations[0]).toMatchObject({
      message_count: 15,
      status: "done",
      call_successful: "success",
    });
    expect(first.has_more).toBe(true);
    const second = await page(`/v1/convai/conversations?page_size=2&cursor=${first.next_cursor}`);
    expect(second).toMatchObject({ has_more: false, next_cursor: null });
    expect(second.conversations.map((c) => c.conversation_id)).toEqual([fixtureIds.realistic]);
    expect((await get("/v1/convai/conversations?page_size=0")).status).toBe(422);
  });

  describe("list", () => {
    const LIST = "/v1/convai/conversations";
    const at = (id: string, start: number, over: Partial<WireConversation> = {}) =>
      realisticConversation({
        conversation_id: id,
        metadata: { ...realisticConversation().metadata, start_time_unix_secs: start },
        ...over,
      });
    const ids = (p: WireConversationsPage) => p.conversations.map((c) => c.conversation_id);
    /** Every page from `query` on, following next_cursor; each page's ids. */
    const walk = async (query: string) => {
      const pages: string[][] = [];
      let cursor: string | null = null;
      do {
        const p = await page(`${LIST}?${query}${cursor ? `&cursor=${cursor}` : ""}`);
        expect(p.has_more).toBe(p.next_cursor !== null);
        pages.push(ids(p));
        cursor = p.next_cursor;
      } while (cursor);
      return pages;
    };

    it("filters by call_start_after_unix and call_start_before_unix (both exclusive) and agent_id", async () => {
      for (const [id, start] of [
        ["c1", 1000],
        ["c2", 2000],
        ["c3", 3000],
        ["c4", 4000],
      ] as const)
        fake.add(at(id, start));
      fake.add(at("other_agent", 2500, { agent_id: "agent_other" }));
      expect(await walk("call_start_after_unix=1000&call_start_before_unix=4000")).toEqual([
        ["c3", "other_agent", "c2"],
      ]);
      expect(await walk("call_start_after_unix=999&agent_id=agent_other")).toEqual([["other_agent"]]);
      const bad = await get(`${LIST}?call_start_after_unix=yesterday`);
      expect(bad.status).toBe(422);
      expect(await bad.json()).toEqual({
        detail: [{ loc: ["query", "call_start_after_unix"], msg: expect.any(String), type: "value_error" }],
      });
      expect((await get(`${LIST}?cursor=bm9wZQ`)).status).toBe(422);
      expect((await get(`${LIST}?page_size=101`)).status).toBe(422);
      expect((await get(LIST, null)).status).toBe(401);
    });

    it("pages 30 by default and keeps its place when newer calls arrive between pages", async () => {
      for (let i = 0; i < 31; i++) fake.add(at(`c${String(i).padStart(2, "0")}`, 10_000 + i));
      const window = "call_start_after_unix=9999&call_start_before_unix=1000000"; // not the fixtures of beforeEach
      const first = await page(`${LIST}?${window}`);
      expect(first.conversations).toHaveLength(30);
      expect(first.conversations[0]).toMatchObject({
        conversation_id: "c30",
        start_time_unix_secs: 10_030,
        call_duration_secs: 159,
        status: "done",
        agent_id: expect.any(String),
      });
      fake.add(at("newer", 20_000));
      const second = await page(`${LIST}?${window}&cursor=${first.next_cursor}`);
      expect(second).toMatchObject({ has_more: false, next_cursor: null });
      expect(ids(second)).toEqual(["c00"]);
    });

    it("injects list faults in order: 429 with Retry-After, 5xx, a redirect; conversations are unaffected", async () => {
      fake.failNextList({ kind: "rateLimited", retryAfterSecs: 7 });
      fake.failNextList({ kind: "serverError", status: 503 });
      fake.failNextList({ kind: "redirect", location: "http://127.0.0.1:9/elsewhere" });
      const limited = await get(LIST);
      expect([limited.status, limited.headers.get("retry-after")]).toEqual([429, "7"]);
      expect((await get(conv())).status).toBe(200);
      expect((await get(LIST)).status).toBe(503);
      const moved = await fetch(`${fake.url}${LIST}`, { headers: { "xi-api-key": key }, redirect: "manual" });
      expect([moved.status, moved.headers.get("location")]).toEqual([307, "http://127.0.0.1:9/elsewhere"]);
      expect(ids(await page(LIST))).toEqual([fixtureIds.noAudio, fixtureIds.realistic]);
      expect(fake.requests().map((r) => r.status)).toEqual([429, 200, 503, 307, 200]);
    });
  });
});
