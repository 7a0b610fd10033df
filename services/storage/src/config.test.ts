import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const required = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/db",
  KAFKA_BROKERS: "127.0.0.1:19092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
  S3_ENDPOINT: "http://127.0.0.1:19000",
  S3_ACCESS_KEY: "a",
  S3_SECRET_KEY: "s",
};

describe("loadConfig", () => {
  it("fills the defaults and leaves the ElevenLabs key unset unless given", () => {
    const config = loadConfig(required);
    expect(config).toMatchObject({
      S3_BUCKET: "postprocess",
      S3_REGION: "us-east-1",
      ELEVENLABS_BASE_URL: "https://api.elevenlabs.io",
      AUDIO_FETCH_TIMEOUT_MS: 30_000,
      WEBHOOK_AUDIO_RETRY_MS: 5000,
    });
    expect(config.ELEVENLABS_API_KEY).toBeUndefined();
    expect(loadConfig({ ...required, AUDIO_FETCH_TIMEOUT_MS: "5000" }).AUDIO_FETCH_TIMEOUT_MS).toBe(5000);
  });

  it("refuses a missing S3 endpoint or a malformed ElevenLabs URL", () => {
    expect(() => loadConfig({ ...required, S3_ENDPOINT: undefined })).toThrow();
    expect(() => loadConfig({ ...required, ELEVENLABS_BASE_URL: "not a url" })).toThrow();
  });
});
