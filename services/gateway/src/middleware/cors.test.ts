import { randomBytes } from "node:crypto";
import { createSecretBox } from "@postprocess/db";
import { silentLogger } from "@postprocess/kafka";
import { createS3 } from "@postprocess/worker";
import { describe, expect } from "vitest";
import { createApp } from "../app.ts";
import { type TestGateway, test } from "../test-gateway.ts";

const LISTED = "https://app.example.com";

/** The gateway of `gw` (same database and keys), built with `corsOrigins`. */
function appWith(gw: TestGateway, corsOrigins: string[] | undefined) {
  return createApp({
    orm: gw.orm,
    publish: async () => {},
    publicBaseUrl: "https://pp.example.com",
    log: silentLogger,
    secrets: createSecretBox(randomBytes(32)),
    // Never reached: these requests touch no object.
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
    corsOrigins,
  });
}

const preflight = (origin?: string) => ({
  method: "OPTIONS",
  headers: {
    ...(origin ? { origin } : {}),
    "access-control-request-method": "PATCH",
    "access-control-request-headers": "authorization, content-type",
  },
});

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((h) => h.startsWith("access-control-"));

describe("CORS", () => {
  test("a listed origin's preflight and requests get the CORS headers", async ({ gw }) => {
    const app = appWith(gw, [LISTED, "http://localhost:5173"]);
    const pre = await app.request("/api/v1/settings", preflight(LISTED));
    expect(pre.status).toBe(204);
    expect(pre.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(pre.headers.get("access-control-allow-methods")).toContain("PATCH");
    expect(pre.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("authorization");
    expect(pre.headers.get("access-control-allow-credentials")).toBeNull();
    expect(pre.headers.get("x-request-id")).toBeTruthy();

    const res = await app.request("/api/v1/settings", {
      headers: { origin: LISTED, authorization: `Bearer ${gw.keys.acc_a}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("access-control-allow-origin")).toBe(LISTED);
    expect(res.headers.get("access-control-expose-headers")).toContain("X-Request-Id");
    expect(res.headers.get("vary")).toContain("Origin");
  });

  test("another origin, or none, gets no CORS header at all", async ({ gw }) => {
    const app = appWith(gw, [LISTED]);
    for (const origin of ["https://evil.example.com", "https://app.example.com.evil.io", undefined]) {
      const pre = await app.request("/api/v1/settings", preflight(origin));
      expect(corsHeaders(pre), String(origin)).toEqual([]);
      // Not answered as a preflight: it falls through to authentication.
      expect(pre.status).toBe(401);
      const res = await app.request("/api/v1/settings", {
        headers: { ...(origin ? { origin } : {}), authorization: `Bearer ${gw.keys.acc_a}` },
      });
      expect(res.status).toBe(200);
      expect(corsHeaders(res), String(origin)).toEqual([]);
      expect(res.headers.get("vary")).toContain("Origin");
    }
  });

  test("off by default: no CORS header for any origin", async ({ gw }) => {
    for (const origins of [undefined, []]) {
      const app = appWith(gw, origins);
      const pre = await app.request("/api/v1/settings", preflight(LISTED));
      expect(corsHeaders(pre)).toEqual([]);
      expect(pre.status).toBe(401);
      const docs = await app.request("/openapi.json", { headers: { origin: LISTED } });
      expect(docs.status).toBe(200);
      expect(corsHeaders(docs)).toEqual([]);
    }
  });
});
