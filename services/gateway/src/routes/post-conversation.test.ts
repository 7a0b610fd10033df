import { isProcessingId } from "@postprocess/db";
import { defaultSettings, settingsToRow } from "@postprocess/worker";
import { describe, expect } from "vitest";
import { isoOrNull } from "../sql.ts";
import { inlineConversation as inline, json, type TestGateway, test } from "../test-gateway.ts";

const PATH = "/api/v1/postprocess/conversation";

const submissions = (gw: TestGateway) => gw.sql("SELECT * FROM gateway_submissions ORDER BY created_at");

describe("POST /api/v1/postprocess/conversation", () => {
  test("accepts an inline conversation: 202, status URL and the published event", async ({ gw }) => {
    const res = await gw.post(PATH, inline);
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toEqual({
      processing_id: expect.any(String),
      status: "pending",
      status_url: `https://pp.example.com/api/v1/postprocess/status/${body.processing_id}`,
    });
    expect(isProcessingId(body.processing_id)).toBe(true);
    expect(res.headers.get("location")).toBe(body.status_url);
    expect(res.headers.get("x-request-id")).toBeTruthy();

    expect(gw.published).toEqual([
      {
        topic: "conversationEnded",
        event: {
          event_id: expect.stringMatching(/^evt_/),
          occurred_at: gw.clock.now.toISOString(),
          account_id: "acc_a",
          conversation_id: "conv_1",
          processing_id: body.processing_id,
          email_id: "ops@example.com",
          source: {
            kind: "inline",
            agent_id: "agent_7",
            transcript: [
              { role: "agent", message: "Hello, how can I help?", time_in_call_secs: 0, tool_name: null },
              { role: "user", message: "My order is late.", time_in_call_secs: 2.5, tool_name: null },
            ],
            audio_url: "https://media.example.com/call.mp3",
          },
          labels: { team: "support" },
          // No settings row: the account runs with the defaults, and the job keeps them.
          settings: settingsToRow(defaultSettings),
        },
      },
    ]);
    const [row] = await submissions(gw);
    expect(row).toMatchObject({
      processing_id: body.processing_id,
      account_id: "acc_a",
      conversation_id: "conv_1",
      email_id: "ops@example.com",
      idempotency_key: null,
    });
    expect(isoOrNull(row!.created_at)).toBe(gw.clock.now.toISOString());
  });

  test("accepts an ElevenLabs conversation with defaults filled in the event", async ({ gw }) => {
    const res = await gw.post(PATH, {
      conversation_id: "el:abc.1-2_3",
      email_id: "a@b.io",
      source: { kind: "elevenlabs" },
    });
    expect(res.status).toBe(202);
    expect(gw.published[0]!.event).toMatchObject({
      conversation_id: "el:abc.1-2_3",
      source: { kind: "elevenlabs", agent_id: null, transcript: [], audio_url: null },
      labels: {},
    });
  });

  test("status right after the 202 is pending, before the projector wrote a row", async ({ gw }) => {
    const { processing_id, status_url } = await json(await gw.post(PATH, inline));
    const res = await gw.request(new URL(status_url).pathname);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      processing_id,
      conversation_id: "conv_1",
      status: "pending",
      progress: 0,
    });
  });

  describe("bad input", () => {
    const expectError = async (res: Response, status: number, code: string) => {
      expect(res.status).toBe(status);
      const body = await json(res);
      expect(body.error).toMatchObject({
        code,
        message: expect.any(String),
        requestId: res.headers.get("x-request-id"),
      });
      expect(JSON.stringify(body)).not.toMatch(/\bat .*\.ts:\d+|stack/i);
      return body.error as { details?: { path: string; message: string }[] };
    };

    test("malformed JSON is a 400", async ({ gw }) => {
      await expectError(await gw.post(PATH, '{"conversation_id": '), 400, "MALFORMED_JSON");
      await expectError(await gw.post(PATH, ""), 400, "MALFORMED_JSON");
    });

    test("wrong types are a 422 listing each path", async ({ gw }) => {
      const error = await expectError(
        await gw.post(PATH, {
          conversation_id: 42,
          email_id: "not-an-email",
          source: { kind: "inline", transcript: [{ role: "robot", message: "x", time_in_call_secs: -1 }] },
          labels: { k: 5 },
        }),
        422,
        "VALIDATION_FAILED",
      );
      expect(error.details?.map((d) => d.path).sort()).toEqual([
        "conversation_id",
        "email_id",
        "labels.k",
        "source.transcript.0.role",
        "source.transcript.0.time_in_call_secs",
      ]);
      expect(gw.published).toHaveLength(0);
    });

    test("unknown fields are a 422 listing their paths", async ({ gw }) => {
      const error = await expectError(
        await gw.post(PATH, {
          ...inline,
          priority: "high",
          source: { ...inline.source, transcript: [{ ...inline.source.transcript[0], emotion: "calm" }] },
        }),
        422,
        "VALIDATION_FAILED",
      );
      expect(error.details?.map((d) => d.path).sort()).toEqual(["priority", "source.transcript.0.emotion"]);
    });

    test("limits: ids, transcript, labels, URLs, source kinds", async ({ gw }) => {
      const cases: [unknown, string][] = [
        [{ ...inline, conversation_id: "" }, "conversation_id"],
        [{ ...inline, conversation_id: "a/b" }, "conversation_id"],
        [{ ...inline, conversation_id: "x".repeat(256) }, "conversation_id"],
        [{ ...inline, source: { ...inline.source, transcript: [] } }, "source.transcript"],
        [{ ...inline, source: { ...inline.source, audio_url: "ftp://x/y.mp3" } }, "source.audio_url"],
        [
          {
            ...inline,
            source: {
              kind: "inline",
              transcript: [{ role: "user", message: "x".repeat(20_001), time_in_call_secs: 1 }],
            },
          },
          "source.transcript.0.message",
        ],
        [
          { ...inline, labels: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"])) },
          "labels",
        ],
        [{ ...inline, labels: { k: "v".repeat(201) } }, "labels.k"],
        [{ ...inline, source: { kind: "elevenlabs", transcript: [] } }, "source.transcript"],
        [{ ...inline, source: { kind: "zoom" } }, "source.kind"],
      ];
      for (const [body, path] of cases) {
        const error = await expectError(await gw.post(PATH, body), 422, "VALIDATION_FAILED");
        expect(
          error.details?.map((d) => d.path),
          JSON.stringify(body).slice(0, 120),
        ).toContain(path);
      }
    });

    test("a body over the limit is a 413, announced or streamed", async ({ gw }) => {
      const big = {
        ...inline,
        labels: { pad: "x".repeat(200) },
        source: {
          ...inline.source,
          transcript: Array.from({ length: 20 }, () => ({
            role: "user",
            message: "y".repeat(15_000),
            time_in_call_secs: 1,
          })),
        },
      };
      await expectError(await gw.post(PATH, big), 413, "PAYLOAD_TOO_LARGE");
      const text = JSON.stringify(big);
      const announced = await gw.request(PATH, {
        method: "POST",
        body: text,
        headers: { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)) },
      });
      await expectError(announced, 413, "PAYLOAD_TOO_LARGE");
      expect(gw.published).toHaveLength(0);
    });

    test("a content type other than JSON is a 415", async ({ gw }) => {
      const body = JSON.stringify(inline);
      for (const type of [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/json; charset=latin1",
      ]) {
        await expectError(
          await gw.request(PATH, { method: "POST", body, headers: { "content-type": type } }),
          415,
          "UNSUPPORTED_MEDIA_TYPE",
        );
      }
      const untyped = await gw.request(PATH, { method: "POST", body: new TextEncoder().encode(body) });
      await expectError(untyped, 415, "UNSUPPORTED_MEDIA_TYPE");
      const ok = await gw.request(PATH, {
        method: "POST",
        body,
        headers: { "content-type": "application/json; charset=UTF-8" },
      });
      expect(ok.status).toBe(202);
    });

    test("a missing, unknown or malformed API key is a 401", async ({ gw }) => {
      await expectError(await gw.post(PATH, inline, { account: null }), 401, "UNAUTHENTICATED");
      for (const authorization of [`Bearer pp_test_${"Z".repeat(33)}`, "Bearer bad key!"]) {
        const res = await gw.post(PATH, inline, { account: null, headers: { authorization } });
        await expectError(res, 401, "UNAUTHENTICATED");
      }
      expect(gw.published).toHaveLength(0);
    });
  });
});
