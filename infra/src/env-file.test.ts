import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { loadStackConfig } from "./config.ts";
import { readEnvFile, stackEnv, writeEnvFile } from "./env-file.ts";

it("writes every component's connection settings and reads them back", async () => {
  const home = await mkdtemp(join(tmpdir(), "stack-"));
  const config = loadStackConfig({ PP_STACK_HOME: home, PP_KAFKA_PORT: "29092" });
  await writeEnvFile(config);
  const env = await readEnvFile(config.envFile);
  expect(env).toEqual({ ...stackEnv(config), SECRETS_KEY: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/) });
  // The dev secrets key is made once: a second write keeps it, so sealed secrets stay readable.
  await writeEnvFile(config);
  expect((await readEnvFile(config.envFile)).SECRETS_KEY).toBe(env.SECRETS_KEY);
  expect(env.KAFKA_BROKERS).toBe("127.0.0.1:29092");
  expect(Object.keys(env)).toEqual(
    expect.arrayContaining([
      "DATABASE_URL",
      "SCHEMA_REGISTRY_URL",
      "S3_ENDPOINT",
      "SMTP_PORT",
      "MAIL_API_URL",
    ]),
  );
});

it("default ports avoid the machine's own services and each other; privileged ports are refused", () => {
  const c = loadStackConfig({});
  const taken = [3306, 6379, 5672, 1883, 4222];
  const ours = [
    c.PP_KAFKA_PORT,
    c.PP_KAFKA_CONTROLLER_PORT,
    c.PP_REGISTRY_PORT,
    c.PP_S3_PORT,
    c.PP_SMTP_PORT,
    c.PP_IMAP_PORT,
    c.PP_MAIL_API_PORT,
  ];
  for (const p of ours) expect(taken).not.toContain(p);
  expect(new Set(ours).size).toBe(ours.length);
  expect(() => loadStackConfig({ PP_S3_PORT: "80" })).toThrow();
});
