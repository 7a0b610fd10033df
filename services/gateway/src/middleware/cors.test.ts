import { describe, expect } from "vitest";
import { test } from "../test-gateway.ts";

const LISTED = "https://app.example.com";

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
    const app = gw.appWith({ corsOrigins: [LISTED, "http://localhost:5173"] }).app;
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
    const app = gw.appWith({ corsOrigins: [LISTED] }).app;
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
      const app = gw.appWith({ corsOrigins: origins }).app;
      const pre = await app.request("/api/v1/settings", preflight(LISTED));
      expect(corsHeaders(pre)).toEqual([]);
      expect(pre.status).toBe(401);
      const docs = await app.request("/openapi.json", { headers: { origin: LISTED } });
      expect(docs.status).toBe(200);
      expect(corsHeaders(docs)).toEqual([]);
    }
  });
});
