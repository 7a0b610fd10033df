import { defaultSettings, settingsToRow } from "@postprocess/worker";
import { describe, expect } from "vitest";
import { inlineConversation, json, test } from "../test-gateway.ts";

const SETTINGS = "/api/v1/settings";
const defaults = settingsToRow(defaultSettings);

const patch =
  (gw: { request: (p: string, i?: RequestInit & { account?: string }) => Promise<Response> }) =>
  (body: unknown, account = "acc_a") =>
    gw.request(SETTINGS, {
      method: "PATCH",
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json" },
      account,
    });

describe("GET/PATCH /api/v1/settings", () => {
  test("an account without a row gets the seed's defaults", async ({ gw }) => {
    const res = await gw.request(SETTINGS);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual(defaults);
    expect(defaults).toMatchObject({
      max_file_size_mb: 10,
      processing_timeout_minutes: 10,
      openai_model: "gpt-4",
    });
  });

  test("PATCH changes only the fields sent, answers every setting, and touches no other account", async ({
    gw,
  }) => {
    const first = await patch(gw)({ processing_timeout_minutes: 30, email_subject_template: "{{topic}}" });
    expect(first.status).toBe(200);
    const expected = { ...defaults, processing_timeout_minutes: 30, email_subject_template: "{{topic}}" };
    expect(await json(first)).toEqual(expected);

    const second = await json(await patch(gw)({ openai_max_tokens: 2000, email_subject_template: null }));
    expect(second).toEqual({ ...expected, openai_max_tokens: 2000, email_subject_template: null });
    expect(await json(await gw.request(SETTINGS))).toEqual(second);
    // An empty patch changes nothing.
    expect(await json(await patch(gw)({}))).toEqual(second);

    expect(await json(await gw.request(SETTINGS, { account: "acc_b" }))).toEqual(defaults);
    const [row] = await gw.sql<{ n: number }>("SELECT count(*)::int AS n FROM account_settings");
    expect(row!.n).toBe(1);
  });

  test("invalid settings are a 422 listing every field, and nothing is written", async ({ gw }) => {
    const res = await patch(gw)({
      max_file_size_mb: 101,
      processing_timeout_minutes: 0,
      file_retention_days: 366,
      openai_max_tokens: 32_001,
      minio_bucket_name: "Not_A_Bucket",
      email_from_address: "nope",
      default_email_template: "Hello {{customer}}",
      enable_audio_storage: null,
      account_id: "acc_b",
    });
    expect(res.status).toBe(422);
    const { error } = await json(res);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.requestId).toBe(res.headers.get("x-request-id"));
    expect(new Set(error.details.map((d: { path: string }) => d.path))).toEqual(
      new Set([
        "max_file_size_mb",
        "processing_timeout_minutes",
        "file_retention_days",
        "openai_max_tokens",
        "minio_bucket_name",
        "email_from_address",
        "default_email_template",
        "enable_audio_storage",
        "account_id",
      ]),
    );
    expect(await gw.sql("SELECT 1 FROM account_settings")).toEqual([]);
    expect((await patch(gw)("{")).status).toBe(400);
    expect((await patch(gw)([1])).status).toBe(422);
  });

  test("needs an API key", async ({ gw }) => {
    expect((await gw.request(SETTINGS, { account: null })).status).toBe(401);
  });
});

describe("the settings snapshot of a job", () => {
  test("a job keeps the settings it was accepted with; a later change applies to later jobs only", async ({
    gw,
  }) => {
    await patch(gw)({ processing_timeout_minutes: 5, openai_model: "gpt-4o" });
    const before = await json(await gw.post("/api/v1/postprocess/conversation", inlineConversation));
    await patch(gw)({ processing_timeout_minutes: 45 });
    const after = await json(
      await gw.post("/api/v1/postprocess/conversation", { ...inlineConversation, conversation_id: "conv_2" }),
    );

    const settingsOf = (id: string) =>
      gw.published.find((p) => p.topic === "conversationEnded" && p.event.processing_id === id)!.event;
    expect(settingsOf(before.processing_id)).toMatchObject({
      settings: { ...defaults, processing_timeout_minutes: 5, openai_model: "gpt-4o" },
    });
    expect(settingsOf(after.processing_id)).toMatchObject({
      settings: { ...defaults, processing_timeout_minutes: 45, openai_model: "gpt-4o" },
    });
  });

  test("the status shows the snapshot the projector stored, and null before", async ({ gw }) => {
    const { processing_id } = await json(
      await gw.post("/api/v1/postprocess/conversation", inlineConversation),
    );
    const status = () => gw.request(`/api/v1/postprocess/status/${processing_id}`).then(json);
    expect((await status()).settings).toBeNull();

    const snapshot = { ...defaults, enable_report_generation: false };
    await gw.insertJob({
      processingId: processing_id,
      conversationId: "conv_1",
      extra: { settings: JSON.stringify(snapshot) },
    });
    // The account's settings change meanwhile: the job's snapshot does not.
    await patch(gw)({ enable_report_generation: true, max_file_size_mb: 50 });
    expect((await status()).settings).toEqual(snapshot);
  });
});
