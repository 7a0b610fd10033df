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
      CALLBACK_ALLOW_HTTP: false,
      WEBHOOK_JSON_LIMIT_BYTES: 10 * 1024 * 1024,
      WEBHOOK_AUDIO_LIMIT_BYTES: 250 * 1024 * 1024,
      SCHEMA_AUTO_REGISTER: false,
      TOPIC_PREFIX: "",
      S3_REGION: "us-east-1",
      S3_BUCKET: "postprocess",
      SECRETS_KEY: Buffer.alloc(32, 7),
      RECONCILE_INTERVAL_MS: 300_000,
      ELEVENLABS_BASE_URL: "https://api.elevenlabs.io",
      RECONCILE_GRACE_MS: 600_000,
      RECONCILE_OVERLAP_MS: 3_600_000,
      RECONCILE_LOOKBACK_MS: 86_400_000,
      RECONCILE_MAX_PAGES: 20,
      CORS_ORIGINS: [],
      DOWNLOAD_URL_EXPIRY_SECONDS: 900,
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
      RECONCILE_INTERVAL_MS: "0",
      ELEVENLABS_BASE_URL: "https://api.eu.residency.elevenlabs.io",
      RECONCILE_GRACE_MS: "1000",
      RECONCILE_OVERLAP_MS: "2000",
      RECONCILE_LOOKBACK_MS: "3600000",
      RECONCILE_MAX_PAGES: "5",
    });
    expect(config).toMatchObject({
      PORT: 8080,
      HOST: "0.0.0.0",
      PUBLIC_BASE_URL: "https://api.example.com/pp",
      BODY_LIMIT_BYTES: 65_536,
      SCHEMA_AUTO_REGISTER: true,
      RECONCILE_INTERVAL_MS: 0,
      ELEVENLABS_BASE_URL: "https://api.eu.residency.elevenlabs.io",
      RECONCILE_GRACE_MS: 1000,
      RECONCILE_OVERLAP_MS: 2000,
      RECONCILE_LOOKBACK_MS: 3_600_000,
      RECONCILE_MAX_PAGES: 5,
    });
  });

  it("reads CORS_ORIGINS as a list of exact origins and refuses anything else", () => {
    const config = loadConfig({
      ...required,
      CORS_ORIGINS: " https://app.example.com, http://localhost:5173 ,",
      DOWNLOAD_URL_EXPIRY_SECONDS: "60",
    });
    expect(config.CORS_ORIGINS).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(config.DOWNLOAD_URL_EXPIRY_SECONDS).toBe(60);
    for (const bad of ["https://app.example.com/", "*", "app.example.com", "ftp://x.example.com"]) {
      expect(() => loadConfig({ ...required, CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
    expect(() => loadConfig({ ...required, DOWNLOAD_URL_EXPIRY_SECONDS: "604800" })).toThrow(
      /DOWNLOAD_URL_EXPIRY_SECONDS/,
    );
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

describe("loadConfig: ElevenLabs webhook limits", () => {
  it("reads both limits and refuses ones too small to hold a webhook", () => {
    const config = loadConfig({
      ...required,
      WEBHOOK_JSON_LIMIT_BYTES: "1048576",
      WEBHOOK_AUDIO_LIMIT_BYTES: "52428800",
    });
    expect([config.WEBHOOK_JSON_LIMIT_BYTES, config.WEBHOOK_AUDIO_LIMIT_BYTES]).toEqual([
      1_048_576, 52_428_800,
    ]);
    expect(() => loadConfig({ ...required, WEBHOOK_JSON_LIMIT_BYTES: "1000" })).toThrow(
      /WEBHOOK_JSON_LIMIT_BYTES/,
    );
    expect(() => loadConfig({ ...required, WEBHOOK_AUDIO_LIMIT_BYTES: "1000" })).toThrow(
      /WEBHOOK_AUDIO_LIMIT_BYTES/,
    );
  });
});
