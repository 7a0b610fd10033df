import { newProcessingId } from "@postprocess/db";
import { describe, expect } from "vitest";
import { accountPatchSchema, newAccountSchema } from "../api-keys/accounts.ts";
import { newKeySchema } from "../api-keys/schemas.ts";
import { conversationRequest } from "../conversation-request.ts";
import { statusOf } from "../errors.ts";
import { postConversationOperation } from "../routes/post-conversation.ts";
import { settingsOperations } from "../routes/settings.ts";
import { settingsPatch } from "../settings/account-settings.ts";
import { json, test } from "../test-gateway.ts";
import type { OpenApiDocument } from "./document.ts";
import { openApiPath } from "./document.ts";
import { operations } from "./operations.ts";

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
const byId = (operationId: string) => {
  const op = operations.find((o) => o.operationId === operationId);
  if (!op) throw new Error(`no operation ${operationId}`);
  return op;
};

describe("the operation registry", () => {
  test("describes every /api route the app serves, and nothing it does not serve", async ({ gw }) => {
    const served = new Set(
      gw.app.routes
        .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
        .map((r) => key(r.method, r.path)),
    );
    const described = new Set(operations.map((o) => key(o.method, o.path)));
    // A failure lists exactly which routes need an `Operation` in openapi/operations.ts.
    const undocumented = [...served].filter((r) => r.includes(" /api/") && !described.has(r));
    expect(undocumented, "routes without a description in openapi/operations.ts").toEqual([]);
    const stale = [...described].filter((d) => !served.has(d));
    expect(stale, "descriptions of routes the app does not serve").toEqual([]);
  });

  test("the documented request bodies are the schemas the routes validate with", () => {
    expect(postConversationOperation.body?.schema).toBe(conversationRequest);
    expect(settingsOperations.find((o) => o.method === "patch")?.body?.schema).toBe(settingsPatch);
    expect(byId("createApiKey").body?.schema).toBe(newKeySchema);
    expect(byId("adminCreateApiKey").body?.schema).toBe(newKeySchema);
    expect(byId("adminCreateAccount").body?.schema).toBe(newAccountSchema);
    expect(byId("adminUpdateAccount").body?.schema).toBe(accountPatchSchema);
  });

  test("the routes answer exactly the documented response bodies", async ({ gw }) => {
    // Parsing strips undocumented fields and checks each documented one: equality means neither drifted.
    const expectDocumented = async (operationId: string, res: Response, status: number) => {
      expect(res.status, operationId).toBe(status);
      const body = await json(res);
      expect(byId(operationId).responses[status]!.schema!.parse(body), operationId).toEqual(body);
      return body;
    };
    const created = await expectDocumented(
      "createApiKey",
      await gw.post("/api/v1/keys", { name: "ci" }),
      201,
    );
    await expectDocumented("listApiKeys", await gw.request("/api/v1/keys"), 200);
    await expectDocumented(
      "revokeApiKey",
      await gw.request(`/api/v1/keys/${created.id}`, { method: "DELETE" }),
      200,
    );

    const endpoint = "/api/v1/callbacks/endpoint";
    const put = (body: unknown) =>
      gw.request(endpoint, {
        method: "PUT",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });
    const first = await expectDocumented(
      "putCallbackEndpoint",
      await put({ url: "https://h.example.com/" }),
      201,
    );
    expect(first.secret).toMatch(/^whsec_/);
    const replaced = await expectDocumented(
      "putCallbackEndpoint",
      await put({ url: "https://h.example.com/2" }),
      200,
    );
    expect(replaced).not.toHaveProperty("secret");
    await expectDocumented("getCallbackEndpoint", await gw.request(endpoint), 200);

    const id = `msg_${newProcessingId().slice("proc_".length)}`;
    await gw.sql(
      `INSERT INTO callback_deliveries (id, account_id, processing_id, event_type, url, payload, status, attempts,
         last_status_code, delivered_at)
       VALUES (?, 'acc_a', ?, 'job.completed', 'https://h.example.com/', '{"a":1}'::jsonb, 'succeeded', 1, 200, now())`,
      [id, newProcessingId()],
    );
    await gw.sql(
      `INSERT INTO callback_delivery_attempts (delivery_id, attempt, attempted_at, duration_ms, status_code, error)
       VALUES (?, 1, now(), 5, 200, NULL)`,
      [id],
    );
    const page = await expectDocumented(
      "listCallbackDeliveries",
      await gw.request("/api/v1/callbacks/deliveries"),
      200,
    );
    expect(page.deliveries).toHaveLength(1);
    const one = await expectDocumented(
      "getCallbackDelivery",
      await gw.request(`/api/v1/callbacks/deliveries/${id}`),
      200,
    );
    expect(one.attempt_log).toHaveLength(1);
  });
});

describe("GET /openapi.json", () => {
  test("is an OpenAPI 3.1 document of every operation, each error response documented", async ({ gw }) => {
    const res = await gw.request("/openapi.json", { account: null });
    expect(res.status).toBe(200);
    const doc: OpenApiDocument = await json(res);
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers).toEqual([{ url: "https://pp.example.com" }]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: "http", scheme: "bearer" });
    expect(doc.components.schemas.Error).toMatchObject({
      type: "object",
      required: ["error"],
      properties: { error: { required: ["code", "message", "requestId"] } },
    });

    for (const op of operations) {
      const described = doc.paths[openApiPath(op.path)]?.[op.method];
      expect(described, key(op.method, op.path)).toBeDefined();
      const statuses = Object.keys(described!.responses).map(Number);
      expect(
        statuses.some((s) => s >= 500),
        key(op.method, op.path),
      ).toBe(true);
      if (op.path.startsWith("/api/")) {
        expect(
          statuses.some((s) => s >= 400 && s < 500),
          key(op.method, op.path),
        ).toBe(true);
        // Signed webhooks live under /api too, but prove themselves by signature, not by key.
        if ((op.security ?? "apiKey") === "apiKey")
          expect(described!.security, "API-key routes use the global scheme").toBeUndefined();
        else expect(described!.security, "signed routes need no key").toEqual([]);
      }
      for (const [status, r] of Object.entries(described!.responses)) {
        expect(r.headers?.["X-Request-Id"], `${key(op.method, op.path)} ${status}`).toBeDefined();
        if (Number(status) < 400) continue;
        // Every error response is the one Error shape, and says which codes it stands for.
        expect(r.content?.["application/json"].schema).toEqual({ $ref: "#/components/schemas/Error" });
        expect(r["x-error-codes"]!.length).toBeGreaterThan(0);
        for (const code of r["x-error-codes"]!) expect(statusOf(code), code).toBe(Number(status));
      }
    }
    const status = doc.paths["/api/v1/postprocess/status/{processing_id}"]!.get!;
    expect(status.parameters).toEqual([
      expect.objectContaining({ name: "processing_id", in: "path", required: true }),
    ]);
    expect(status.responses["404"]!["x-error-codes"]).toEqual(["NOT_FOUND"]);
    expect(status.responses["401"]!["x-error-codes"]).toEqual(["UNAUTHENTICATED"]);
    expect(doc.paths["/healthz"]!.get!.security).toEqual([]);
    // The operator's API is documented with its own key, and is not rate limited.
    expect(doc.components.securitySchemes.adminKey).toMatchObject({ type: "http", scheme: "bearer" });
    const revoke = doc.paths["/admin/v1/keys/{key_id}/revoke"]!.post!;
    expect(revoke.security).toEqual([{ adminKey: [] }]);
    expect(revoke.responses["401"]!["x-error-codes"]).toEqual(["UNAUTHENTICATED"]);
    expect(revoke.responses["429"]).toBeUndefined();
  });

  test("documents what the routes enforce: required fields, unknown fields, query bounds", async ({ gw }) => {
    const doc: OpenApiDocument = await json(await gw.request("/openapi.json", { account: null }));
    const submit = doc.paths["/api/v1/postprocess/conversation"]!.post!;
    const schema = submit.requestBody!.content["application/json"].schema as {
      required: string[];
      additionalProperties: boolean;
    };
    expect(submit.requestBody!.required).toBe(true);
    expect(schema.additionalProperties).toBe(false);
    // The route refuses an empty body for exactly the fields the document calls required.
    const res = await gw.post("/api/v1/postprocess/conversation", {});
    expect(res.status).toBe(422);
    const missing = (await json(res)).error.details.map((d: { path: string }) => d.path);
    expect(new Set(missing)).toEqual(new Set(schema.required));

    const patch = doc.paths["/api/v1/settings"]!.patch!.requestBody!.content["application/json"].schema as {
      properties: Record<string, { anyOf?: unknown[]; maximum?: number }>;
      additionalProperties: boolean;
    };
    expect(patch.additionalProperties).toBe(false);
    expect(patch.properties.max_file_size_mb).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
    expect(patch.properties.processing_timeout_minutes).toMatchObject({ minimum: 1, maximum: 60 });

    const limit = doc.paths["/api/v1/postprocess/history"]!.get!.parameters!.find((p) => p.name === "limit");
    expect(limit).toMatchObject({
      in: "query",
      required: false,
      schema: { type: "integer", minimum: 1, maximum: 100, default: 50 },
    });
    expect((await gw.request("/api/v1/postprocess/history?limit=101")).status).toBe(400);
    expect((await gw.request("/api/v1/postprocess/history?limit=100")).status).toBe(200);
  });
});
