import { describe, expect } from "vitest";
import { json, test } from "../test-gateway.ts";

const HISTORY = "/api/v1/postprocess/history";

describe("rate limiting per API key", () => {
  test("a burst over the limit gets 429s with Retry-After; usage rows match the requests sent", async ({
    gw,
  }) => {
    const key = await gw.addAccount("acc_burst", { perMinute: 60, burst: 5 });
    const auth = { account: null, headers: { authorization: `Bearer ${key}` } };
    const statuses: number[] = [];
    const remaining: (string | null)[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await gw.request(HISTORY, auth);
      statuses.push(res.status);
      remaining.push(res.headers.get("ratelimit-remaining"));
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        expect((await json(res)).error.code).toBe("RATE_LIMITED");
      }
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(remaining.slice(0, 5)).toEqual(["4", "3", "2", "1", "0"]);
    // One token a second at 60/min: the next fits within a second (rounded up).
    expect(Number(retryAfter)).toBe(1);

    const [usage] = await gw.sql<Record<string, unknown>>(
      `SELECT sum(request_count)::int AS requests, sum(success_count)::int AS successes,
              sum(error_count)::int AS errors, bool_or(rate_limit_exceeded) AS limited, min(endpoint) AS endpoint,
              bool_and(rate_limit_reset_at IS NOT NULL) AS reset_known
         FROM api_usage_metrics WHERE account_id = 'acc_burst'`,
    );
    expect(usage).toEqual({
      requests: 8,
      successes: 5,
      errors: 3,
      limited: true,
      endpoint: "GET /api/v1/postprocess/history",
      reset_known: true,
    });
  });

  test("the allowance refills: after Retry-After the key is served again", async ({ gw }) => {
    // 600/min = one token every 100 ms, burst 1.
    const key = await gw.addAccount("acc_refill", { perMinute: 600, burst: 1 });
    const auth = { account: null, headers: { authorization: `Bearer ${key}` } };
    expect((await gw.request(HISTORY, auth)).status).toBe(200);
    const refused = await gw.request(HISTORY, auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    await new Promise((r) => setTimeout(r, 1000)); // Retry-After is the contract under test: honour it.
    expect((await gw.request(HISTORY, auth)).status).toBe(200);
  });

  test("each key has its own allowance; the limit is the account's", async ({ gw }) => {
    const first = await gw.addAccount("acc_two_keys", { perMinute: 1, burst: 2 });
    const second = await json(
      await gw.post(
        "/api/v1/keys",
        { name: "second" },
        { account: null, headers: { authorization: `Bearer ${first}` } },
      ),
    );
    for (const key of [first, second.key]) {
      const auth = { account: null, headers: { authorization: `Bearer ${key}` } };
      const got = [];
      for (let i = 0; i < 3; i++) got.push((await gw.request(HISTORY, auth)).status);
      // The first key also spent one token creating the second.
      expect(got).toEqual(key === first ? [200, 429, 429] : [200, 200, 429]);
    }
  });

  test("two gateway replicas share one allowance: exactly `burst` of 24 concurrent requests pass", async ({
    gw,
  }) => {
    const key = await gw.addAccount("acc_replicas", { perMinute: 1, burst: 10 });
    const replica = gw.appWith({}).app;
    const init = { headers: { authorization: `Bearer ${key}` } };
    const results = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? replica : gw.app).request(HISTORY, init)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
    const [usage] = await gw.sql<{ requests: number; limited: boolean }>(
      "SELECT sum(request_count)::int AS requests, bool_or(rate_limit_exceeded) AS limited FROM api_usage_metrics WHERE account_id = 'acc_replicas'",
    );
    expect(usage).toEqual({ requests: 24, limited: true });
  });

  test("unauthenticated requests are refused before the limiter and leave no usage rows", async ({ gw }) => {
    const res = await gw.request(HISTORY, { account: null });
    expect(res.status).toBe(401);
    expect(res.headers.get("ratelimit-limit")).toBeNull();
    const [row] = await gw.sql<{ n: number }>("SELECT count(*)::int AS n FROM api_usage_metrics");
    expect(row!.n).toBe(0);
  });
});
