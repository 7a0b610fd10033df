import { describe, expect } from "vitest";
import { json, type TestGateway, test } from "../test-gateway.ts";

const PATH = "/api/v1/integrations/elevenlabs";
const WEBHOOK_SECRET = "wsec_c0ffee_0123456789abcdef_secret";
const API_KEY = "sk_el_0123456789abcdef_api_key";

function put(gw: TestGateway, body: unknown, account = "acc_a"): Promise<Response> {
  return gw.request(PATH, {
    method: "PUT",
    account,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("ElevenLabs integration API", () => {
  test("secrets are write-only: stored sealed, shown only as has_… flags", async ({ gw }) => {
    expect((await gw.request(PATH)).status).toBe(404);
    const created = await put(gw, {
      webhook_secret: WEBHOOK_SECRET,
      api_key: API_KEY,
      agent_id: "agent_7",
      recipient_email: "reports@acme.example",
      reconcile_enabled: true,
    });
    expect(created.status).toBe(201);
    const view = await json(created);
    expect(view).toEqual({
      provider: "elevenlabs",
      webhook_url: "https://pp.example.com/api/v1/webhooks/elevenlabs/acc_a",
      has_webhook_secret: true,
      has_previous_webhook_secret: false,
      has_api_key: true,
      agent_id: "agent_7",
      recipient_email: "reports@acme.example",
      reconcile_enabled: true,
      reconciled_until: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const read = await gw.request(PATH);
    expect(await json(read)).toEqual(view);

    // Neither the answers nor the row nor the logs hold a secret in the clear.
    const [row] = await gw.sql<Record<string, string>>(
      "SELECT webhook_secret, api_key FROM elevenlabs_integrations WHERE account_id = 'acc_a'",
    );
    expect(row!.webhook_secret).toMatch(/^v1\./);
    expect(row!.api_key).toMatch(/^v1\./);
    const everything = JSON.stringify([view, row, gw.logs]);
    expect(everything).not.toContain(WEBHOOK_SECRET);
    expect(everything).not.toContain(API_KEY);
  });

  test("a later PUT keeps what it leaves out, clears what it nulls, and rotates a new secret", async ({
    gw,
  }) => {
    await put(gw, { webhook_secret: WEBHOOK_SECRET, api_key: API_KEY, recipient_email: "a@acme.example" });
    const updated = await put(gw, { recipient_email: "b@acme.example", api_key: null, agent_id: "agent_9" });
    expect(updated.status).toBe(200);
    expect(await json(updated)).toMatchObject({
      recipient_email: "b@acme.example",
      has_webhook_secret: true,
      has_previous_webhook_secret: false,
      has_api_key: false,
      agent_id: "agent_9",
    });
    const rotated = await put(gw, {
      webhook_secret: "wsec_the_next_one_0123456789",
      recipient_email: "b@acme.example",
    });
    expect(await json(rotated)).toMatchObject({
      has_webhook_secret: true,
      has_previous_webhook_secret: true,
    });
    const ended = await gw.request(`${PATH}/previous-webhook-secret`, { method: "DELETE" });
    expect(ended.status).toBe(204);
    expect(await json(await gw.request(PATH))).toMatchObject({ has_previous_webhook_secret: false });
  });

  test("validation: 422 with every offending field", async ({ gw }) => {
    const cases: [unknown, string[]][] = [
      [{}, ["recipient_email"]],
      [{ recipient_email: "not an email" }, ["recipient_email"]],
      [{ recipient_email: "a@acme.example", webhook_secret: "short" }, ["webhook_secret"]],
      [
        { recipient_email: "a@acme.example", webhook_secret: "has a space in it, long enough" },
        ["webhook_secret"],
      ],
      [{ recipient_email: "a@acme.example", extra: true }, ["extra"]],
      [{ recipient_email: "a@acme.example", reconcile_enabled: "yes" }, ["reconcile_enabled"]],
      // Reconciliation lists conversations with the API key: enabling it without one is refused.
      [{ recipient_email: "a@acme.example", reconcile_enabled: true }, ["reconcile_enabled"]],
    ];
    for (const [body, paths] of cases) {
      const res = await put(gw, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const { error } = await json(res);
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.details.map((d: { path: string }) => d.path)).toEqual(paths);
    }
    expect((await gw.request(PATH)).status).toBe(404);
  });

  test("tenants are separate: B neither sees nor changes A's integration", async ({ gw }) => {
    await put(gw, { webhook_secret: WEBHOOK_SECRET, recipient_email: "a@acme.example" });
    const asB = await gw.request(PATH, { account: "acc_b" });
    expect(asB.status).toBe(404);
    expect((await json(asB)).error.code).toBe("NOT_CONFIGURED");
    expect(
      (await gw.request(`${PATH}/previous-webhook-secret`, { method: "DELETE", account: "acc_b" })).status,
    ).toBe(404);
    expect((await put(gw, { recipient_email: "b@other.example" }, "acc_b")).status).toBe(201);
    expect(await json(await gw.request(PATH))).toMatchObject({
      recipient_email: "a@acme.example",
      has_webhook_secret: true,
    });
    expect(await json(await gw.request(PATH, { account: "acc_b" }))).toMatchObject({
      recipient_email: "b@other.example",
      has_webhook_secret: false,
      webhook_url: "https://pp.example.com/api/v1/webhooks/elevenlabs/acc_b",
    });
    // Without a key there is no integration to read at all.
    expect((await gw.request(PATH, { account: null })).status).toBe(401);
  });
});
