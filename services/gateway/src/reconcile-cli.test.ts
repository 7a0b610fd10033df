import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect } from "vitest";
import { HOUR, test } from "./reconcile/test-reconcile.ts";

const cli = fileURLToPath(new URL("./reconcile-cli.ts", import.meta.url));

describe("reconcile-cli", () => {
  test("--dry-run prints, per account, what it would start, and starts nothing", async ({ rc }) => {
    // The CLI reads the real clock.
    rc.clock.now = new Date();
    await rc.addIntegration("acc_a");
    rc.addCall("c1", { startedAgoMs: 2 * HOUR });
    const { env } = rc;
    const { stdout } = await promisify(execFile)(process.execPath, [cli, "--dry-run"], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: rc.databaseUrl,
        KAFKA_BROKERS: env.KAFKA_BROKERS,
        SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
        S3_ENDPOINT: env.S3_ENDPOINT,
        S3_ACCESS_KEY: env.S3_ACCESS_KEY,
        S3_SECRET_KEY: env.S3_SECRET_KEY,
        SECRETS_KEY: rc.secretsKey.toString("base64"),
        ELEVENLABS_BASE_URL: rc.fake.url,
      },
    });
    expect(JSON.parse(stdout)).toMatchObject({
      dryRun: true,
      elected: true,
      accounts: [
        { accountId: "acc_a", outcome: "complete", started: [{ conversationId: "c1", processingId: null }] },
      ],
    });
    expect(stdout).not.toContain("xi-test-key");
    expect(await rc.gw.sql("SELECT 1 FROM gateway_submissions")).toEqual([]);
    expect((await rc.progress("acc_a")).reconciledUntil).toBeNull();
  });
});
