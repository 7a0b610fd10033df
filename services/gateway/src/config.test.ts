import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const required = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/postprocess",
  KAFKA_BROKERS: "127.0.0.1:19092, 127.0.0.1:19094",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
  S3_ENDPOINT: "http://127.0.0.1:19000",
  S3_ACCESS_KEY: "ak",
  S3_SECRET_KEY: "sk",
  SECRETS_KEY: Buffer.alloc(32, 7).toString("base64"),
};

describe("loadConfig", () => {
  it("applies the defaults", () => {
    expect(loadConfig(required)).toEqual({
      ...required,
      KAFKA_BROKERS: ["127.0.0.1:19092", "127.0.0.1:19094"],
      PORT: 18090,
      HOST: "127.0.0.1",
      PUBLIC_BASE_URL: "http://127.0.0.1:18090",
      BODY_LIMIT_BYTES: 262_144,
      SCHEMA_AUTO_REGISTER: false,
      TOPIC_PREFIX: "",
      S3_REGION: "us-east-1",
      S3_BUCKET: "postprocess",
      SECRETS_KEY: Buffer.alloc(32, 7),
    });
  });

  it("reads every setting", () => {
    const config = loadConfig({
      ...required,
      PORT: "8080",
      HOST: "0.0.0.0",
      PUBLIC_BASE_URL: "https://api.example.com/pp",
      BODY_LIMIT_BYTES: "65536",
      SCHEMA_AUTO_REGISTER: "true",
    });
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: "0.0.0.0",
      PUBLIC_BASE_URL: "https://api.example.com/pp",
      BODY_LIMIT_BYTES: 65_536,
      SCHEMA_AUTO_REGISTER: true,
    });
  });

  it("refuses a secrets key that is not 32 bytes", () => {
    expect(() => loadConfig({ ...required, SECRETS_KEY: "c2hvcnQ=" })).toThrow(/SECRETS_KEY: .*32 bytes/);
  });

  it("lists every problem", () => {
    expect(() => loadConfig({ PORT: "x", KAFKA_BROKERS: " , " })).toThrow(
      /PORT.*DATABASE_URL.*KAFKA_BROKERS.*SCHEMA_REGISTRY_URL/,
    );
  });
});
