import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { defaultRetryScheduleMs, loadConfig } from "./config.ts";

const base = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  KAFKA_BROKERS: "127.0.0.1:19092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
  SECRETS_KEY: randomBytes(32).toString("base64"),
};

describe("loadConfig", () => {
  it("defaults: Standard Webhooks' schedule over a day, 10 s timeout, private networks refused", () => {
    const c = loadConfig(base);
    expect(c.CALLBACK_RETRY_SCHEDULE_MS).toEqual(defaultRetryScheduleMs);
    expect(c.CALLBACK_RETRY_WINDOW_MS).toBe(24 * 3600_000);
    expect(c.CALLBACK_TIMEOUT_MS).toBe(10_000);
    expect(c.CALLBACK_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(c.CALLBACKS_GROUP_ID).toBe("callbacks");
    expect(c.SECRETS_KEY).toHaveLength(32);
  });

  it("reads a retry schedule as a comma-separated list of milliseconds", () => {
    expect(
      loadConfig({ ...base, CALLBACK_RETRY_SCHEDULE_MS: "50, 100,2000" }).CALLBACK_RETRY_SCHEDULE_MS,
    ).toEqual([50, 100, 2000]);
    for (const bad of ["", "5s", "100,,200", "-1", "1.5"]) {
      expect(() => loadConfig({ ...base, CALLBACK_RETRY_SCHEDULE_MS: bad }), bad).toThrow(
        /CALLBACK_RETRY_SCHEDULE_MS/,
      );
    }
  });

  it("lists every problem, and never accepts a short secrets key", () => {
    expect(() => loadConfig({ ...base, SECRETS_KEY: "c2hvcnQ=", CALLBACK_TIMEOUT_MS: "0" })).toThrow(
      /SECRETS_KEY: SECRETS_KEY must be 32 bytes.*CALLBACK_TIMEOUT_MS/,
    );
  });
});
