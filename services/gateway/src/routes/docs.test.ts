import { createHash } from "node:crypto";
import { describe, expect } from "vitest";
import { errorCodes } from "../errors.ts";
import { operations } from "../openapi/operations.ts";
import { test } from "../test-gateway.ts";

describe("GET /docs", () => {
  test("is a self-contained page of every operation under a strict CSP", async ({ gw }) => {
    const res = await gw.request("/docs", { account: null });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();

    // Nothing external and nothing executable: no script, no stylesheet link, no image, no frame.
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|javascript:|\bon[a-z]+=/i);
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain("unsafe-inline");
    // The one inline style is allowed by its hash, and nothing else is.
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`style-src 'sha256-${createHash("sha256").update(style).digest("base64")}'`);

    for (const op of operations) {
      expect(html, op.operationId).toContain(`id="${op.operationId}"`);
      expect(html).toContain(op.path.replace(/:([a-z_]+)/g, "{$1}"));
    }
    // Parameters, bodies, responses and error codes are all on the page.
    expect(html).toContain("<code>processing_timeout_minutes</code>");
    expect(html).toContain("<code>Idempotency-Key</code>");
    expect(html).toContain("1..60");
    for (const code of ["UNAUTHENTICATED", "VALIDATION_FAILED", "NOT_FOUND", "RATE_LIMITED"]) {
      expect(html).toContain(`<code>${code}</code>`);
    }
    expect(errorCodes.filter((c) => !html.includes(c))).toEqual([]);
  });
});
