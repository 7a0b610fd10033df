import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { createSecretBox, parseSecretsKey } from "./secrets.ts";

describe("secret box", () => {
  const box = createSecretBox(randomBytes(32));

  test("opens what it sealed, and the sealed form does not contain the secret", () => {
    const sealed = box.seal("whsec_very-secret");
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain("very-secret");
    expect(box.open(sealed)).toBe("whsec_very-secret");
  });

  test("two seals of one secret differ (random IV)", () => {
    expect(box.seal("x")).not.toBe(box.seal("x"));
  });

  test("refuses a value sealed under another key, or altered", () => {
    const other = createSecretBox(randomBytes(32));
    expect(() => box.open(other.seal("x"))).toThrow();
    const sealed = box.seal("secret");
    const parts = sealed.split(".");
    const tampered = [parts[0], parts[1], parts[2], Buffer.from("garbage").toString("base64url")].join(".");
    expect(() => box.open(tampered)).toThrow();
    expect(() => box.open("plain text")).toThrow(/not a sealed secret/);
  });

  test("a SECRETS_KEY must be 32 bytes", () => {
    expect(parseSecretsKey(randomBytes(32).toString("base64")).length).toBe(32);
    expect(() => parseSecretsKey("c2hvcnQ=")).toThrow(/32 bytes/);
  });
});
