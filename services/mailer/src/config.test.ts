import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

const required = {
  DATABASE_URL: "postgres://u:p@127.0.0.1:5432/postprocess",
  KAFKA_BROKERS: "127.0.0.1:19092",
  SCHEMA_REGISTRY_URL: "http://127.0.0.1:18081/apis/ccompat/v7",
  S3_ENDPOINT: "http://127.0.0.1:19000",
  S3_ACCESS_KEY: "k",
  S3_SECRET_KEY: "s",
  SMTP_HOST: "127.0.0.1",
};

describe("loadConfig", () => {
  it("applies the defaults", () => {
    expect(loadConfig(required).SMTP_USER).toBeUndefined();
    expect(loadConfig(required)).toMatchObject({
      SMTP_PORT: 587,
      SMTP_SECURE: false,
      MAIL_FROM_ADDRESS: "reports@postprocess.local",
      MAIL_FROM_NAME: "Postprocess",
      MAIL_ATTACH_MAX_BYTES: 5 * 1024 * 1024,
      S3_BUCKET: "postprocess",
    });
  });

  it("reads every setting", () => {
    const c = loadConfig({
      ...required,
      SMTP_PORT: "465",
      SMTP_SECURE: "true",
      SMTP_USER: "u",
      SMTP_PASS: "p",
      MAIL_FROM_ADDRESS: "calls@acme.example",
      MAIL_FROM_NAME: "Acme calls",
      MAIL_ATTACH_MAX_BYTES: "1000",
    });
    expect(c).toMatchObject({
      SMTP_PORT: 465,
      SMTP_SECURE: true,
      SMTP_USER: "u",
      SMTP_PASS: "p",
      MAIL_FROM_ADDRESS: "calls@acme.example",
      MAIL_FROM_NAME: "Acme calls",
      MAIL_ATTACH_MAX_BYTES: 1000,
    });
  });

  it("lists every problem", () => {
    expect(() =>
      loadConfig({ ...required, SMTP_HOST: "", MAIL_FROM_ADDRESS: "nope", SMTP_USER: "u" }),
    ).toThrow(/SMTP_HOST.*MAIL_FROM_ADDRESS/);
    expect(() => loadConfig({ ...required, SMTP_USER: "u" })).toThrow(/SMTP_USER and SMTP_PASS go together/);
  });
});
