import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { databases, loadStackConfig, repoRoot } from "./config.ts";
import { stackEnv } from "./env-file.ts";

// Docker cannot run here, so this is what keeps docker-compose.yml honest: it must offer the same
// components on the same ports with the same connection variables as the CLI's defaults.
const defaults = loadStackConfig({});
const compose = parse(await readFile(join(repoRoot, "docker-compose.yml"), "utf8")) as {
  "x-postprocess-env": Record<string, string>;
  services: Record<string, { ports?: string[]; environment?: Record<string, string>; image: string }>;
};

describe("docker-compose.yml", () => {
  it("has one service per stack component", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["kafka", "mail", "postgres", "registry", "s3"]);
  });

  it("publishes each component on the CLI's default port", () => {
    const published = (name: string) =>
      (compose.services[name]?.ports ?? []).map((p) => {
        const [host, container] = p.split(":");
        expect(host).toBe(container);
        return Number(host);
      });
    expect(published("postgres")).toEqual([defaults.PP_PG_PORT]);
    expect(published("kafka")).toEqual([defaults.PP_KAFKA_PORT]);
    expect(published("registry")).toEqual([defaults.PP_REGISTRY_PORT]);
    expect(published("s3")).toEqual([defaults.PP_S3_PORT]);
    expect(published("mail").sort()).toEqual(
      [defaults.PP_SMTP_PORT, defaults.PP_IMAP_PORT, defaults.PP_MAIL_API_PORT].sort(),
    );
  });

  it("gives services exactly the connection variables `stack up` writes, with the same values", () => {
    expect(compose["x-postprocess-env"]).toEqual(stackEnv(defaults));
  });

  it("uses the CLI's S3 credentials, registry database and Kafka listener", () => {
    const s3 = compose.services.s3!.environment!;
    expect([s3.MINIO_ROOT_USER, s3.MINIO_ROOT_PASSWORD]).toEqual([
      defaults.PP_S3_ACCESS_KEY,
      defaults.PP_S3_SECRET_KEY,
    ]);
    expect(compose.services.registry!.environment!.APICURIO_DATASOURCE_URL).toMatch(
      new RegExp(`/${databases.registry}$`),
    );
    expect(compose.services.kafka!.environment!.KAFKA_ADVERTISED_LISTENERS).toBe(
      `PLAINTEXT://127.0.0.1:${defaults.PP_KAFKA_PORT}`,
    );
    expect(compose.services.kafka!.environment!.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe("false");
  });

  it("creates the same databases as the CLI", async () => {
    const sql = await readFile(join(repoRoot, "infra", "docker", "init-databases.sql"), "utf8");
    for (const db of Object.values(databases)) expect(sql).toContain(`CREATE DATABASE ${db};`);
  });
});
