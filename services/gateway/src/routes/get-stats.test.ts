import { describe, expect } from "vitest";
import { json, test } from "../test-gateway.ts";

// One base instant, so durations between these times are exact.
const base = Date.now();
const daysAgo = (n: number, plusSecs = 0) => new Date(base - n * 86_400_000 + plusSecs * 1000);

describe("GET /api/v1/postprocess/stats", () => {
  test("counts the account's jobs by status in the window, with average duration and bounds", async ({
    gw,
  }) => {
    const first = daysAgo(3);
    const last = daysAgo(1);
    await gw.insertJob({
      conversationId: "a",
      status: "completed",
      createdAt: first,
      startedAt: first,
      completedAt: daysAgo(3, 60),
    });
    await gw.insertJob({
      conversationId: "b",
      status: "completed",
      createdAt: daysAgo(2),
      startedAt: daysAgo(2),
      completedAt: daysAgo(2, 120),
    });
    await gw.insertJob({
      conversationId: "c",
      status: "completed",
      createdAt: last,
      startedAt: last,
      completedAt: daysAgo(1, 30),
    });
    await gw.insertJob({ conversationId: "d", status: "failed", createdAt: daysAgo(1) });
    await gw.insertJob({ conversationId: "e", status: "completed", createdAt: daysAgo(10) });
    await gw.insertJob({
      conversationId: "f",
      status: "completed",
      createdAt: daysAgo(1),
      accountId: "acc_b",
    });

    const res = await gw.request("/api/v1/postprocess/stats");
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toEqual({
      days: 7,
      stats: [
        {
          status: "completed",
          job_count: 3,
          avg_duration_seconds: 70,
          earliest_job: first.toISOString(),
          latest_job: last.toISOString(),
        },
        {
          status: "failed",
          job_count: 1,
          avg_duration_seconds: null,
          earliest_job: expect.any(String),
          latest_job: expect.any(String),
        },
      ],
    });

    const all = await json(await gw.request("/api/v1/postprocess/stats?days=90"));
    expect(all.stats[0]).toMatchObject({ status: "completed", job_count: 4 });
  });

  test("an account without jobs gets an empty list; days must be 1..90", async ({ gw }) => {
    expect(await json(await gw.request("/api/v1/postprocess/stats?days=1"))).toEqual({ days: 1, stats: [] });
    for (const days of ["0", "91", "-1", "seven"]) {
      const res = await gw.request(`/api/v1/postprocess/stats?days=${days}`);
      expect(res.status, days).toBe(400);
      expect((await json(res)).error.code).toBe("INVALID_QUERY");
    }
  });
});
