import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const required = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/postprocess",
  KAFKA_BROKERS: "127.0.0.1:19092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
  S3_ENDPOINT: "http://127.0.0.1:19000",
  S3_ACCESS_KEY: "k",
  S3_SECRET_KEY: "s",
};

describe("loadConfig", () => {
  it("applies the defaults: DejaVu fonts, the shared bucket", () => {
    expect(loadConfig(required)).toMatchObject({
      S3_BUCKET: "postprocess",
      S3_REGION: "us-east-1",
      TOPIC_PREFIX: "",
    });
    expect(loadConfig(required).REPORT_FONT_PATH).toBeUndefined();
  });

  it("lists every problem", () => {
    expect(() => loadConfig({ KAFKA_BROKERS: "x", S3_ENDPOINT: "not a url" })).toThrow(
      /DATABASE_URL.*SCHEMA_REGISTRY_URL.*S3_ENDPOINT.*S3_ACCESS_KEY/,
    );
  });
});
