import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const base = {
  DATABASE_URL: "postgres://localhost/x",
  KAFKA_BROKERS: "127.0.0.1:19092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
};

describe("loadConfig", () => {
  it("defaults to the public ElevenLabs API, a 15 s request timeout and a 60 s wait", () => {
    const config = loadConfig(base);
    expect(config.ELEVENLABS_API_KEY).toBeUndefined();
    expect(config).toMatchObject({
      ELEVENLABS_BASE_URL: "https://api.elevenlabs.io",
      ELEVENLABS_TIMEOUT_MS: 15_000,
      ELEVENLABS_MAX_WAIT_MS: 60_000,
    });
  });

  it("treats an empty key (as .env files leave it) as no key", () => {
    expect(loadConfig({ ...base, ELEVENLABS_API_KEY: "" }).ELEVENLABS_API_KEY).toBeUndefined();
    expect(loadConfig({ ...base, ELEVENLABS_API_KEY: "xi-1" }).ELEVENLABS_API_KEY).toBe("xi-1");
  });

  it("refuses a base URL that is not a URL", () => {
    expect(() => loadConfig({ ...base, ELEVENLABS_BASE_URL: "api.elevenlabs" })).toThrow();
  });
});
