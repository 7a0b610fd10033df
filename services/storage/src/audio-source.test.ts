import { buffer } from "node:stream/consumers";
import { RetriableError, RetryAfterError } from "@postprocess/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AudioSourceSettings, audioFileName, mediaType, openAudio } from "./audio-source.ts";
import { startAudioServer } from "./test-audio-server.ts";

let source: Awaited<ReturnType<typeof startAudioServer>>;
let elsewhere: Awaited<ReturnType<typeof startAudioServer>>;
let settings: AudioSourceSettings;

beforeAll(async () => {
  source = await startAudioServer("127.0.0.1");
  // Same machine, another host name: for the key-forwarding checks.
  elsewhere = await startAudioServer("localhost");
  settings = { elevenLabsBaseUrl: source.base, elevenLabsApiKey: "xi-test-key", timeoutMs: 2000 };
});
afterAll(async () => {
  await source.close();
  await elsewhere.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail("expected a rejection"),
    (e: unknown) => e,
  );

describe("openAudio", () => {
  it("opens a recording: body, media type and length, with the ElevenLabs key for its host", async () => {
    source.route("/v1/convai/conversations/c1/audio", {
      body: Buffer.from("ID3-bytes"),
      contentType: "audio/mpeg",
    });
    const a = await openAudio(source.url("/v1/convai/conversations/c1/audio"), settings);
    if (a.kind !== "stream") return expect.fail(`expected a stream, got ${a.reason}`);
    expect([a.contentType, a.contentLength]).toEqual(["audio/mpeg", 9]);
    expect((await buffer(a.body)).toString()).toBe("ID3-bytes");
    expect(source.hits("/v1/convai/conversations/c1/audio")[0]!.headers["xi-api-key"]).toBe("xi-test-key");
  });

  it("never sends the key to another host, not even through a redirect from ElevenLabs", async () => {
    elsewhere.route("/cdn/a.wav", { body: Buffer.from("RIFF"), contentType: "audio/wav; rate=8000" });
    source.route("/redirect", { status: 302, headers: { location: elsewhere.url("/cdn/a.wav") } });
    // The CDN here is another local server: private addresses must be allowed for this test.
    const a = await openAudio(source.url("/redirect"), { ...settings, allowPrivateNetworks: true });
    if (a.kind !== "stream") return expect.fail(`expected a stream, got ${a.reason}`);
    expect(a.contentType).toBe("audio/wav");
    await buffer(a.body);
    expect(source.hits("/redirect")[0]!.headers["xi-api-key"]).toBe("xi-test-key");
    expect(elsewhere.hits("/cdn/a.wav")[0]!.headers["xi-api-key"]).toBeUndefined();
  });

  it("refuses, by default, a URL (or a redirect) to a private network address that is not ElevenLabs'", async () => {
    elsewhere.route("/internal.mp3", { body: Buffer.from("ID3") });
    source.route("/to-internal", { status: 302, headers: { location: elsewhere.url("/internal.mp3") } });
    for (const url of [elsewhere.url("/internal.mp3"), source.url("/to-internal")]) {
      const a = await openAudio(url, settings);
      expect(a.kind === "unavailable" && a.reason).toMatch(/private network address/);
    }
    expect(elsewhere.hits("/internal.mp3")).toHaveLength(0);
  });

  it("refuses a host name that resolves to a private address at connect time, on a redirect hop too", async () => {
    elsewhere.route("/internal.mp3", { body: Buffer.from("ID3") });
    const port = new URL(elsewhere.base).port;
    source.route("/to-name", {
      status: 302,
      headers: { location: `http://media.test:${port}/internal.mp3` },
    });
    // The name's resolver answers loopback: the socket's own lookup refuses it, so nothing is connected to.
    const resolved: string[] = [];
    const resolve = async (hostname: string) => {
      resolved.push(hostname);
      return [{ address: "127.0.0.1", family: 4 }];
    };
    for (const url of [`http://media.test:${port}/internal.mp3`, source.url("/to-name")]) {
      const a = await openAudio(url, { ...settings, resolve });
      expect(a.kind === "unavailable" && a.reason, url).toMatch(/media\.test is a private network address/);
    }
    expect(resolved).toEqual(["media.test", "media.test"]);
    expect(elsewhere.hits("/internal.mp3")).toHaveLength(0);
  });

  it("defaults the media type to audio/mpeg and leaves the length unknown when the body is chunked", async () => {
    source.route("/plain", { body: Buffer.from("abc"), contentType: null, chunked: true });
    const a = await openAudio(source.url("/plain"), settings);
    if (a.kind !== "stream") return expect.fail("expected a stream");
    expect([a.contentType, a.contentLength]).toEqual(["audio/mpeg", undefined]);
    await buffer(a.body);
  });

  it("reports a recording that is gone or refused as unavailable (a warning, not a retry)", async () => {
    source.route("/gone", { status: 410 });
    source.route("/forbidden", { status: 403 });
    for (const [path, status] of [
      ["/missing", 404],
      ["/gone", 410],
      ["/forbidden", 403],
    ] as const) {
      expect(await openAudio(source.url(path), settings)).toEqual({
        kind: "unavailable",
        reason: `audio source ${new URL(source.base).host} answered ${status}`,
      });
    }
    expect(await openAudio("ftp://example.test/a.mp3", settings)).toMatchObject({ kind: "unavailable" });
    expect(await openAudio("not a url", settings)).toMatchObject({ kind: "unavailable" });
  });

  it("turns 429 into RetryAfterError with the source's delay, and 5xx/408 into RetriableError", async () => {
    source.route("/busy", { status: 429, headers: { "retry-after": "3" } });
    source.route("/down", { status: 503 });
    source.route("/slow", { status: 408 });
    const busy = await failure(openAudio(source.url("/busy"), settings));
    expect(busy).toBeInstanceOf(RetryAfterError);
    expect((busy as RetryAfterError).ms).toBe(3000);
    // No Retry-After (or an unreadable one): a short default wait, still not a plain retry.
    source.route("/busy-mute", { status: 429 });
    source.route("/busy-vague", { status: 429, headers: { "retry-after": "soon" } });
    for (const path of ["/busy-mute", "/busy-vague"]) {
      expect(await failure(openAudio(source.url(path), settings))).toMatchObject({
        name: "RetryAfterError",
        ms: 2000,
      });
    }
    for (const path of ["/down", "/slow"]) {
      const err = await failure(openAudio(source.url(path), settings));
      expect(err).toBeInstanceOf(RetriableError);
      expect(err).not.toBeInstanceOf(RetryAfterError);
    }
  });

  it("retries a source that is unreachable or sends no headers in time", async () => {
    const closed = await startAudioServer();
    const deadUrl = closed.url("/a.mp3");
    await closed.close();
    expect(await failure(openAudio(deadUrl, settings))).toMatchObject({
      name: "RetriableError",
      message: expect.stringContaining("unreachable"),
    });
    source.route("/hang", { stall: "before-headers" });
    const started = Date.now();
    expect(await failure(openAudio(source.url("/hang"), { ...settings, timeoutMs: 200 }))).toMatchObject({
      name: "RetriableError",
      message: expect.stringContaining("timed out"),
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("header helpers", () => {
  it("names the stored file from the media type", () => {
    expect(mediaType("Audio/MPEG; charset=binary")).toBe("audio/mpeg");
    expect(mediaType(null)).toBeUndefined();
    expect(["audio/mpeg", "audio/wav", "audio/ogg", "application/octet-stream"].map(audioFileName)).toEqual([
      "audio.mp3",
      "audio.wav",
      "audio.ogg",
      "audio.bin",
    ]);
  });
});
