import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { hallucinatedTurn } from "./faults.ts";
import { validateJson } from "./json-schema.ts";
import { raw, startFakeOpenAI } from "./server.ts";

const apiKey = "sk-test-fake";
const fake = await startFakeOpenAI({ apiKey });
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const item = {
  type: "object",
  properties: { text: { type: "string" }, turns: { type: "array", items: { type: "integer" } } },
  required: ["text", "turns"],
  additionalProperties: false,
};
const schema = {
  type: "object",
  properties: {
    summary: { type: "string" },
    topic: { type: "string" },
    sentiment: { type: "string", enum: ["positive", "negative", "neutral", "mixed"] },
    key_points: { type: "array", items: item },
    action_items: { type: "array", items: item },
  },
  required: ["summary", "topic", "sentiment", "key_points", "action_items"],
  additionalProperties: false,
};
const turns = [
  { i: 0, role: "agent", text: "Hello, how can I help?" },
  { i: 1, role: "user", text: "I want a refund for my order." },
  { i: 2, role: "agent", text: "I will email you the refund form today." },
];
const body = (over: Record<string, unknown> = {}) => ({
  model: "gpt-test",
  max_completion_tokens: 300,
  messages: [
    { role: "system", content: "Summarise the call." },
    { role: "user", content: `<<<TRANSCRIPT\n${JSON.stringify(turns)}\nTRANSCRIPT>>>` },
  ],
  response_format: { type: "json_schema", json_schema: { name: "call_summary", strict: true, schema } },
  ...over,
});

async function post(b: unknown, key = apiKey, path = "/chat/completions") {
  const res = await fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(b),
  });
  // biome-ignore lint/suspicious/noExplicitAny: wire bodies, asserted field by field
  return { res, json: (await res.json()) as Record<string, any> };
}

describe("fake OpenAI /v1/chat/completions", () => {
  it("answers a Structured Outputs request in the wire format, with content matching the schema", async () => {
    const { res, json } = await post(body());
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(json).toMatchObject({
      object: "chat.completion",
      model: "gpt-test",
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", refusal: null } }],
    });
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens);
    const content = JSON.parse(json.choices[0].message.content);
    expect(validateJson(schema, content)).toEqual([]);
    expect(content.sentiment).toBe("neutral");
    // Grounded items cite turns the user message holds.
    for (const it of [...content.key_points, ...content.action_items])
      for (const t of it.turns) expect([0, 1, 2]).toContain(t);
    const [logged] = fake.requests();
    expect(logged).toMatchObject({
      model: "gpt-test",
      maxCompletionTokens: 300,
      system: "Summarise the call.",
    });
    expect(logged!.user).toContain("refund");
  });

  it("checks the bearer key, the route and that the request asks for strict json_schema output", async () => {
    expect((await post(body(), "sk-wrong")).res.status).toBe(401);
    expect((await post(body(), apiKey, "/responses")).res.status).toBe(404);
    const notStrict = await post(
      body({ response_format: { type: "json_schema", json_schema: { name: "x", strict: false, schema } } }),
    );
    expect([notStrict.res.status, notStrict.json.error.param]).toEqual([400, "response_format"]);
    expect((await post(body({ response_format: { type: "json_object" } }))).res.status).toBe(400);
    const optional = { ...schema, required: ["summary"] };
    const loose = await post(
      body({
        response_format: { type: "json_schema", json_schema: { name: "x", strict: true, schema: optional } },
      }),
    );
    expect(loose.json.error.message).toContain("Missing 'topic'");
    expect(fake.rejected().map((r) => r.status)).toEqual([401, 404, 400, 400, 400]);
    expect(fake.requests()).toEqual([]);
  });

  it("injects 429 with retry-after-ms, then 500, then answers", async () => {
    fake.failNext("rate_limit", 1, { retryAfterMs: 1500 });
    fake.failNext("server_error");
    const limited = await post(body());
    expect(limited.res.status).toBe(429);
    expect(limited.res.headers.get("retry-after-ms")).toBe("1500");
    expect(limited.res.headers.get("retry-after")).toBe("2");
    expect(limited.json.error.code).toBe("rate_limit_exceeded");
    const failed = await post(body());
    expect([failed.res.status, failed.json.error.type]).toEqual([500, "server_error"]);
    expect((await post(body())).res.status).toBe(200);
    expect(fake.requests().map((r) => [r.fault, r.status])).toEqual([
      ["rate_limit", 429],
      ["server_error", 500],
      [null, 200],
    ]);
  });

  it("injects a refusal, a length cut-off, invalid JSON and invented turn indexes", async () => {
    fake.failNext("refusal");
    fake.failNext("length");
    fake.failNext("invalid_json");
    fake.failNext("bad_turns");
    const refusal = (await post(body())).json.choices[0];
    expect(refusal.message.content).toBeNull();
    expect(refusal.message.refusal).toMatch(/can't assist/);
    const length = (await post(body())).json;
    expect(length.choices[0].finish_reason).toBe("length");
    expect(length.usage.completion_tokens).toBe(300);
    expect(() => JSON.parse(length.choices[0].message.content)).toThrow();
    const invalid = (await post(body())).json.choices[0].message.content;
    expect(() => JSON.parse(invalid)).toThrow();
    const bad = JSON.parse((await post(body())).json.choices[0].message.content);
    expect(validateJson(schema, bad)).toEqual([]);
    expect(bad.key_points.at(-1).turns).toEqual([hallucinatedTurn]);
  });

  it("hangs until the client gives up", async () => {
    fake.failNext("hang");
    const res = fetch(`${fake.url}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${apiKey}` },
      body: JSON.stringify(body()),
      signal: AbortSignal.timeout(200),
    });
    await expect(res).rejects.toThrow(/abort|timeout/i);
    expect(fake.requests()[0]).toMatchObject({ fault: "hang", status: null });
  });

  it("sends a scripted answer when it matches the schema, raw content verbatim, and refuses a mismatch", async () => {
    const answer = { summary: "s", topic: "t", sentiment: "mixed", key_points: [], action_items: [] };
    fake.respondWith(() => answer);
    expect(JSON.parse((await post(body())).json.choices[0].message.content)).toEqual(answer);
    fake.respondWith(() => raw('{"sentiment":"ecstatic"}'));
    expect((await post(body())).json.choices[0].message.content).toBe('{"sentiment":"ecstatic"}');
    fake.respondWith(() => ({ ...answer, sentiment: "ecstatic" }));
    const mismatch = await post(body());
    expect([mismatch.res.status, mismatch.json.error.type]).toEqual([500, "fake_schema_mismatch"]);
    expect(fake.requests().at(-1)!.problem).toContain("not in enum");
  });
});
