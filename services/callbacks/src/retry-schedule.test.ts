import { describe, expect, it } from "vitest";
import { defaultRetryScheduleMs } from "./config.ts";
import { nextAttemptAt } from "./retry-schedule.ts";

const created = new Date("2026-11-26T00:00:00.000Z");
const at = (ms: number) => new Date(created.getTime() + ms);
const policy = { scheduleMs: defaultRetryScheduleMs, windowMs: 24 * 3600_000 };

describe("nextAttemptAt", () => {
  it("follows the schedule, one step per failed attempt", () => {
    expect(nextAttemptAt(1, at(0), created, policy)).toEqual(at(5_000));
    expect(nextAttemptAt(2, at(5_000), created, policy)).toEqual(at(5_000 + 300_000));
    expect(nextAttemptAt(6, at(1_000), created, policy)).toEqual(at(1_000 + 10 * 3600_000));
  });

  it("repeats the last delay once the schedule is used up", () => {
    expect(nextAttemptAt(9, at(0), created, policy)).toEqual(at(10 * 3600_000));
  });

  it("never schedules past the window's end, and gives up once it is reached", () => {
    const late = 20 * 3600_000;
    expect(nextAttemptAt(7, at(late), created, policy)).toEqual(at(policy.windowMs));
    expect(nextAttemptAt(8, at(policy.windowMs), created, policy)).toBeNull();
    expect(nextAttemptAt(1, at(policy.windowMs + 1), created, policy)).toBeNull();
  });

  it("with the default schedule a delivery is tried 8 times over the day", () => {
    let now = created;
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const next = nextAttemptAt(attempts, now, created, policy);
      if (!next) break;
      now = next;
    }
    // Immediately, +5 s, +5 min, +30 min, +2 h, +5 h, +10 h (≈ 17.6 h), then at the 24 h deadline.
    expect(attempts).toBe(8);
    expect(now).toEqual(at(policy.windowMs));
  });
});
