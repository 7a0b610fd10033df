import { randomBytes } from "node:crypto";
import { createOrm, createSecretBox } from "@postprocess/db";
import { silentLogger } from "@postprocess/kafka";
import { createS3 } from "@postprocess/worker";
import { describe, expect, it } from "vitest";
import { createApp } from "./app.ts";
import { json, test } from "./test-gateway.ts";

const NO_STACK = /\bat .*:\d+:\d+|node_modules|\.ts:\d+|stack/i;

describe("app", () => {
  test("GET /healthz answers 200", async ({ gw }) => {
    const res = await gw.request("/healthz", { account: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "ok" });
  });

  test("GET /readyz answers 200 when the database answers", async ({ gw }) => {
    const res = await gw.request("/readyz", { account: null });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ status: "ready" });
  });

  describe("request id", () => {
    test("a well-formed incoming x-request-id is honoured and echoed", async ({ gw }) => {
      const res = await gw.request("/healthz", { headers: { "x-request-id": "client-req-42" } });
      expect(res.headers.get("x-request-id")).toBe("client-req-42");
    });

    test("a malformed one is replaced; errors carry the id in body and header", async ({ gw }) => {
      const res = await gw.request("/api/v1/postprocess/status/nope", {
        headers: { "x-request-id": "bad id <script>" },
      });
      const id = res.headers.get("x-request-id");
      expect(id).toMatch(/^[0-9a-f-]{36}$/);
      expect((await json(res)).error.requestId).toBe(id);
    });
  });

  test("an unknown route is a JSON 404", async ({ gw }) => {
    const res = await gw.request("/nowhere", { account: null });
    expect(res.status).toBe(404);
    const body = await json(res);
    expect(body).toEqual({
      error: {
        code: "NOT_FOUND",
        message: "no route for GET /nowhere",
        requestId: res.headers.get("x-request-id"),
      },
    });
  });

  test("every API endpoint needs an account: 401 in the error shape", async ({ gw }) => {
    const id = "proc_01JDX0000000000000000000AB";
    const calls: [string, RequestInit][] = [
      [
        "/api/v1/postprocess/conversation",
        { method: "POST", body: "{}", headers: { "content-type": "application/json" } },
      ],
      [`/api/v1/postprocess/status/${id}`, {}],
      ["/api/v1/postprocess/history", {}],
      ["/api/v1/postprocess/failed", {}],
      ["/api/v1/postprocess/stats", {}],
      [`/api/v1/postprocess/${id}/cancel`, { method: "POST" }],
    ];
    // No key, a key of the right shape that was never issued, and something that is not a key at all.
    const credentials = [undefined, `Bearer pp_live_${"a".repeat(33)}`, "Bearer nonsense", "Basic YTpi"];
    for (const [path, init] of calls) {
      for (const authorization of credentials) {
        const headers = new Headers(init.headers);
        if (authorization) headers.set("authorization", authorization);
        const res = await gw.request(path, { ...init, headers, account: null });
        expect(res.status, `${path} with ${authorization}`).toBe(401);
        const body = await json(res);
        expect(body.error).toMatchObject({
          code: "UNAUTHENTICATED",
          requestId: res.headers.get("x-request-id"),
        });
      }
    }
  });

  test("an unexpected error is a generic 500: logged with the request id, never leaked", async ({ gw }) => {
    gw.app.get("/boom", () => {
      throw new Error("password=hunter2 at db.internal:5432");
    });
    const res = await gw.request("/boom");
    expect(res.status).toBe(500);
    const text = await res.text();
    const { error } = JSON.parse(text);
    expect(error).toEqual({
      code: "INTERNAL",
      message: expect.any(String),
      requestId: res.headers.get("x-request-id"),
    });
    expect(text).not.toContain("hunter2");
    expect(text).not.toMatch(NO_STACK);
    const logged = gw.logs.find((l) => l.level === "error");
    expect(logged?.obj).toMatchObject({ requestId: error.requestId });
  });
});

describe("app without a database", () => {
  // Port 1 refuses connections at once: the database is "down", no test waits on a timeout.
  const down = () => {
    const orm = createOrm({ clientUrl: "postgres://postgres:postgres@127.0.0.1:1/none" });
    const app = createApp({
      orm,
      publish: async () => {},
      publicBaseUrl: "http://localhost",
      log: silentLogger,
      secrets: createSecretBox(randomBytes(32)),
      // Never reached: every request fails on the database first.
      s3: {
        client: createS3({
          endpoint: "http://127.0.0.1:1",
          region: "us-east-1",
          accessKey: "x",
          secretKey: "x",
          defaultBucket: "b",
        }),
        defaultBucket: "b",
      },
    });
    return { orm, app };
  };

  it("GET /readyz is a 503 in the error shape; /healthz stays 200", async () => {
    const { orm, app } = down();
    try {
      const res = await app.request("/readyz");
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text).error).toMatchObject({
        code: "UNAVAILABLE",
        requestId: res.headers.get("x-request-id"),
      });
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      expect((await app.request("/healthz")).status).toBe(200);
    } finally {
      await orm.close(true);
    }
  });

  it("API calls are a 503 UNAVAILABLE, not a 500", async () => {
    const { orm, app } = down();
    try {
      const res = await app.request("/api/v1/postprocess/history", {
        headers: { authorization: `Bearer pp_live_${"a".repeat(33)}` },
      });
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(JSON.parse(text).error.code).toBe("UNAVAILABLE");
      expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
    } finally {
      await orm.close(true);
    }
  });
});
