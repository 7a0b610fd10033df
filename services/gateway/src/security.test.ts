import { signWebhook } from "@postprocess/testkit/fakes/elevenlabs";
import { describe, expect } from "vitest";
import { operations } from "./openapi/operations.ts";
import { json, type TestGateway, test } from "./test-gateway.ts";

/**
 * The gateway's security contract, endpoint by endpoint: account B, holding a valid key of its own, can
 * neither read, change, cancel nor download anything of account A; revoked, forged and missing credentials
 * are refused everywhere; webhooks need A's signature; bodies are size- and type-checked. The table below
 * must name every /api operation of the OpenAPI registry, so a new route cannot ship without its
 * cross-tenant case.
 */

/** What account A owns, for B to try to reach. */
interface Owned {
  failedJob: string;
  runningJob: string;
  conversationId: string;
  keyId: string;
  deliveryId: string;
  /** Strings that must never appear in a response to B. */
  markers: string[];
}

async function seedAccountA(gw: TestGateway, s3: import("minio").Client, bucket: string): Promise<Owned> {
  const conversationId = "conv_secret_of_a";
  const failedJob = await gw.insertJob({
    conversationId,
    status: "failed",
    errorCode: "ELEVENLABS_NOT_FOUND",
    errorMessage: "a's private failure",
  });
  const runningJob = await gw.insertJob({ conversationId: "conv_running_of_a", status: "summarizing" });
  const key = `acc_a/${conversationId}/${failedJob}/report.pdf`;
  await s3.putObject(bucket, key, Buffer.from("%PDF a's report"));
  await gw.sql(
    `INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, minio_path, content_type)
     VALUES (?, ?, 'acc_a', 'report', 'report.pdf', ?, 'application/pdf')`,
    [failedJob, conversationId, `${bucket}/${key}`],
  );
  const created = await json(await gw.post("/api/v1/keys", { name: "a-second-key" }));
  await gw.request("/api/v1/settings", {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email_from_name: "A Corp Private" }),
  });
  const endpoint = await gw.request("/api/v1/callbacks/endpoint", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ url: "https://hooks.a.example/done" }),
  });
  expect(endpoint.status).toBe(201);
  const deliveryId = "msg_01JDX0000000000000000000AA";
  await gw.sql(
    `INSERT INTO callback_deliveries (id, account_id, processing_id, event_type, url, payload, status, next_attempt_at)
     VALUES (?, 'acc_a', ?, 'job.failed', 'https://hooks.a.example/done', '{}', 'pending', now())`,
    [deliveryId, failedJob],
  );
  const integration = await gw.request("/api/v1/integrations/elevenlabs", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ webhook_secret: "wsec_a_private_secret_value", recipient_email: "ops@a.example" }),
  });
  expect(integration.status).toBe(201);
  // A rotation under way: A has a previous secret too, which B must not be able to drop.
  const rotated = await gw.request("/api/v1/integrations/elevenlabs", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ webhook_secret: "wsec_a_next_private_secret", recipient_email: "ops@a.example" }),
  });
  expect(rotated.status).toBe(200);
  return {
    failedJob,
    runningJob,
    conversationId,
    keyId: created.id,
    deliveryId,
    markers: [
      failedJob,
      runningJob,
      // Not `conversationId`: B legitimately submits a conversation of its own under that same id.
      "conv_running_of_a",
      created.id,
      deliveryId,
      "A Corp Private",
      "hooks.a.example",
      "ops@a.example",
      "a's private failure",
    ],
  };
}

type Probe = (gw: TestGateway, a: Owned) => Promise<Response>;
type Expectation = { status: number[] } | { ownDataOnly: true };

const asB = (gw: TestGateway, path: string, init: RequestInit = {}) =>
  gw.request(path, { ...init, account: "acc_b" });
const jsonInit = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

/** Every /api operation, as account B aimed at account A's things. */
const crossTenant: Record<string, { probe: Probe; expect: Expectation }> = {
  "post /api/v1/postprocess/conversation": {
    // Conversation ids are per account: B submitting A's id gets a job of its own, never A's.
    probe: (gw, a) =>
      asB(
        gw,
        "/api/v1/postprocess/conversation",
        jsonInit("POST", {
          conversation_id: a.conversationId,
          email_id: "b@b.example",
          source: { kind: "inline", transcript: [{ role: "user", message: "hi", time_in_call_secs: 0 }] },
        }),
      ),
    expect: { ownDataOnly: true },
  },
  "get /api/v1/postprocess/status/:processing_id": {
    probe: (gw, a) => asB(gw, `/api/v1/postprocess/status/${a.failedJob}`),
    expect: { status: [404] },
  },
  "get /api/v1/postprocess/history": {
    probe: (gw) => asB(gw, "/api/v1/postprocess/history?limit=100"),
    expect: { ownDataOnly: true },
  },
  "get /api/v1/postprocess/failed": {
    probe: (gw) => asB(gw, "/api/v1/postprocess/failed"),
    expect: { ownDataOnly: true },
  },
  "get /api/v1/postprocess/stats": {
    probe: (gw) => asB(gw, "/api/v1/postprocess/stats"),
    expect: { ownDataOnly: true },
  },
  "post /api/v1/postprocess/:processing_id/cancel": {
    probe: (gw, a) => asB(gw, `/api/v1/postprocess/${a.runningJob}/cancel`, { method: "POST" }),
    expect: { status: [404] },
  },
  "get /api/v1/postprocess/:processing_id/files/:file_type": {
    probe: (gw, a) => asB(gw, `/api/v1/postprocess/${a.failedJob}/files/report?redirect=false`),
    expect: { status: [404] },
  },
  "get /api/v1/settings": {
    probe: (gw) => asB(gw, "/api/v1/settings"),
    expect: { ownDataOnly: true },
  },
  "patch /api/v1/settings": {
    probe: (gw) => asB(gw, "/api/v1/settings", jsonInit("PATCH", { email_from_name: "B Corp" })),
    expect: { ownDataOnly: true },
  },
  "get /api/v1/keys": { probe: (gw) => asB(gw, "/api/v1/keys"), expect: { ownDataOnly: true } },
  "post /api/v1/keys": {
    probe: (gw) => asB(gw, "/api/v1/keys", jsonInit("POST", { name: "b-key" })),
    expect: { ownDataOnly: true },
  },
  "delete /api/v1/keys/:key_id": {
    probe: (gw, a) => asB(gw, `/api/v1/keys/${a.keyId}`, { method: "DELETE" }),
    expect: { status: [404] },
  },
  "get /api/v1/integrations/elevenlabs": {
    probe: (gw) => asB(gw, "/api/v1/integrations/elevenlabs"),
    expect: { status: [404] },
  },
  "put /api/v1/integrations/elevenlabs": {
    probe: (gw) =>
      asB(gw, "/api/v1/integrations/elevenlabs", jsonInit("PUT", { recipient_email: "ops@b.example" })),
    expect: { ownDataOnly: true },
  },
  "delete /api/v1/integrations/elevenlabs/previous-webhook-secret": {
    // B's own integration (made by the PUT above) at most: 204 or 404, and A keeps its previous secret.
    probe: (gw) => asB(gw, "/api/v1/integrations/elevenlabs/previous-webhook-secret", { method: "DELETE" }),
    expect: { status: [204, 404] },
  },
  "post /api/v1/webhooks/elevenlabs/:account": {
    // B signs with a secret of its own choosing; only A's secret opens A's webhook.
    probe: (gw) => {
      const body = JSON.stringify({
        type: "call_initiation_failure",
        event_timestamp: Math.floor(Date.now() / 1000),
        data: {
          agent_id: "x",
          conversation_id: "c",
          failure_reason: "busy",
          metadata: { type: "sip", body: {} },
        },
      });
      return gw.request("/api/v1/webhooks/elevenlabs/acc_a", {
        method: "POST",
        account: null,
        headers: { "content-type": "application/json", "elevenlabs-signature": signWebhook("b-guess", body) },
        body,
      });
    },
    expect: { status: [401] },
  },
  "get /api/v1/callbacks/endpoint": {
    probe: (gw) => asB(gw, "/api/v1/callbacks/endpoint"),
    expect: { status: [404] },
  },
  "put /api/v1/callbacks/endpoint": {
    probe: (gw) =>
      asB(gw, "/api/v1/callbacks/endpoint", jsonInit("PUT", { url: "https://hooks.b.example/x" })),
    expect: { ownDataOnly: true },
  },
  "delete /api/v1/callbacks/endpoint": {
    // Deletes B's own endpoint (made by the PUT above); A's stays (checked after the loop).
    probe: (gw) => asB(gw, "/api/v1/callbacks/endpoint", { method: "DELETE" }),
    expect: { status: [204, 404] },
  },
  "get /api/v1/callbacks/deliveries": {
    probe: (gw) => asB(gw, "/api/v1/callbacks/deliveries"),
    expect: { ownDataOnly: true },
  },
  "get /api/v1/callbacks/deliveries/:id": {
    probe: (gw, a) => asB(gw, `/api/v1/callbacks/deliveries/${a.deliveryId}`),
    expect: { status: [404] },
  },
};

const apiOperations = operations.filter((o) => o.path.startsWith("/api/"));
const keyed = (o: { method: string; path: string }) => `${o.method} ${o.path}`;

describe("tenant isolation on every endpoint", () => {
  test("the table covers every /api operation of the registry", () => {
    expect(Object.keys(crossTenant).sort()).toEqual(apiOperations.map(keyed).sort());
  });

  test("account B cannot read, change, cancel or download account A's things", async ({ gw, s3, bucket }) => {
    const a = await seedAccountA(gw, s3, bucket);
    const before = await gw.sql(
      "SELECT processing_id, status FROM conversation_processing WHERE account_id = 'acc_a' ORDER BY 1",
    );
    for (const [name, { probe, expect: want }] of Object.entries(crossTenant)) {
      const res = await probe(gw, a);
      const text = await res.text();
      if ("status" in want) expect(want.status, `${name}: ${res.status} ${text}`).toContain(res.status);
      else expect(res.status, `${name}: ${text}`).toBeLessThan(300);
      // A 404 may echo the id the caller itself sent; nothing else of A's may appear.
      const echoed = "status" in want ? [a.failedJob, a.runningJob, a.keyId, a.deliveryId] : [];
      for (const marker of a.markers.filter((m) => !echoed.includes(m))) {
        expect(text, `${name} leaked ${marker}`).not.toContain(marker);
      }
    }
    // Nothing of A's changed: its jobs, its settings, its keys, its endpoint and its integration.
    const after = await gw.sql(
      "SELECT processing_id, status FROM conversation_processing WHERE account_id = 'acc_a' ORDER BY 1",
    );
    expect(after).toEqual(before);
    expect(gw.published.filter((p) => p.topic === "cancelRequested")).toEqual([]);
    expect((await json(await gw.request("/api/v1/settings"))).email_from_name).toBe("A Corp Private");
    const aKeys = await json(await gw.request("/api/v1/keys"));
    expect(aKeys.keys.every((k: { revoked_at: string | null }) => k.revoked_at === null)).toBe(true);
    expect((await json(await gw.request("/api/v1/callbacks/endpoint"))).url).toBe(
      "https://hooks.a.example/done",
    );
    expect((await json(await gw.request("/api/v1/integrations/elevenlabs"))).recipient_email).toBe(
      "ops@a.example",
    );
    const [b] = await gw.sql<{ n: number }>(
      "SELECT count(*)::int AS n FROM elevenlabs_webhook_receipts WHERE account_id = 'acc_a'",
    );
    expect(b!.n).toBe(0);
  });
});

describe("credentials", () => {
  const credentials = {
    none: undefined,
    "a revoked key": "revoked",
    "a forged key of the right shape": `Bearer pp_live_${"Q".repeat(33)}`,
    "the admin scheme's key on the customer API": `Bearer pp_admin_${"x".repeat(32)}`,
    "a key in a query string instead of a header": "query",
  } as const;

  test("every /api operation refuses missing, revoked and forged keys with 401", async ({ gw }) => {
    const revoked = await json(await gw.post("/api/v1/keys", { name: "to-revoke" }));
    await gw.request(`/api/v1/keys/${revoked.id}`, { method: "DELETE" });
    const id = "proc_01JDX0000000000000000000AB";
    for (const op of apiOperations.filter((o) => !o.path.startsWith("/api/v1/webhooks/"))) {
      const path = op.path
        .replace(":processing_id", id)
        .replace(":file_type", "report")
        .replace(":key_id", "key_01JDX0000000000000000000AB")
        .replace(":id", "msg_01JDX0000000000000000000AB");
      for (const [what, credential] of Object.entries(credentials)) {
        const headers = new Headers({ "content-type": "application/json" });
        let url = path;
        if (credential === "revoked") headers.set("authorization", `Bearer ${revoked.key}`);
        else if (credential === "query") url = `${path}?api_key=${encodeURIComponent(gw.keys.acc_a!)}`;
        else if (credential) headers.set("authorization", credential);
        const res = await gw.request(url, {
          method: op.method.toUpperCase(),
          headers,
          account: null,
          ...(op.method === "get" || op.method === "delete" ? {} : { body: "{}" }),
        });
        expect(res.status, `${keyed(op)} with ${what}`).toBe(401);
        expect((await json(res)).error.code).toBe("UNAUTHENTICATED");
      }
    }
  });
});

describe("request bodies", () => {
  test("oversized, malformed and wrongly typed bodies are refused before any work", async ({ gw }) => {
    const bodyRoutes = apiOperations.filter((o) => o.body && !o.path.startsWith("/api/v1/webhooks/"));
    expect(bodyRoutes.length).toBeGreaterThan(5);
    for (const op of bodyRoutes) {
      const path = op.path.replace(":processing_id", "proc_01JDX0000000000000000000AB");
      const send = (body: string, type = "application/json") =>
        gw.request(path, { method: op.method.toUpperCase(), headers: { "content-type": type }, body });
      const big = await send(`{"x":"${"a".repeat(300 * 1024)}"}`);
      expect(big.status, `${keyed(op)} oversized`).toBe(413);
      const broken = await send('{"conversation_id": ');
      expect(broken.status, `${keyed(op)} malformed`).toBe(400);
      expect((await json(broken)).error.code).toBe("MALFORMED_JSON");
      const form = await send("a=1", "application/x-www-form-urlencoded");
      expect(form.status, `${keyed(op)} form`).toBe(415);
    }
    expect(gw.published).toEqual([]);
  });
});
