import { describe, expect } from "vitest";
import { json, test } from "./test-gateway.ts";

describe("headers on every response", () => {
  test("200, 4xx, unknown route and 500 all carry a request id and the security headers", async ({ gw }) => {
    gw.app.get("/api/v1/boom", () => {
      throw new Error("boom");
    });
    const responses = {
      ok: await gw.request("/api/v1/postprocess/history"),
      health: await gw.request("/healthz", { account: null }),
      unauthenticated: await gw.request("/api/v1/postprocess/history", { account: null }),
      invalid: await gw.request("/api/v1/postprocess/status/nope"),
      unknown: await gw.request("/api/v1/nowhere"),
      unknownOutsideApi: await gw.request("/nowhere", { account: null }),
      internal: await gw.request("/api/v1/boom"),
    };
    expect(Object.fromEntries(Object.entries(responses).map(([k, r]) => [k, r.status]))).toEqual({
      ok: 200,
      health: 200,
      unauthenticated: 401,
      invalid: 400,
      unknown: 404,
      unknownOutsideApi: 404,
      internal: 500,
    });
    for (const [name, res] of Object.entries(responses)) {
      // No incoming id was sent: the gateway made one.
      const id = res.headers.get("x-request-id");
      expect(id, name).toMatch(/^[0-9a-f-]{36}$/);
      if (res.status >= 400) expect((await json(res)).error.requestId, name).toBe(id);
      expect(res.headers.get("x-content-type-options"), name).toBe("nosniff");
      expect(res.headers.get("referrer-policy"), name).toBe("no-referrer");
    }
    // API answers are never cached (tenant data, presigned links); the probes may be.
    for (const name of ["ok", "unauthenticated", "invalid", "unknown", "internal"] as const) {
      expect(responses[name].headers.get("cache-control"), name).toBe("no-store");
    }
    expect(responses.health.headers.get("cache-control")).toBeNull();
    // Each response has its own id.
    const ids = Object.values(responses).map((r) => r.headers.get("x-request-id"));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
