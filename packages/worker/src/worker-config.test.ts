import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { optionalSecretsKeySchema, secretsKeySchema } from "./worker-config.ts";

const key = Buffer.alloc(32, 7);
const issues = (r: { success: boolean; error?: z.ZodError }) => r.error?.issues.map((i) => i.message);

describe("SECRETS_KEY schemas", () => {
  it("required: a 32-byte base64 key becomes its bytes; anything else is an issue, absence too", () => {
    expect(secretsKeySchema.parse(key.toString("base64"))).toEqual(key);
    expect(issues(secretsKeySchema.safeParse("c2hvcnQ="))).toEqual([
      "SECRETS_KEY must be 32 bytes, base64-encoded",
    ]);
    expect(secretsKeySchema.safeParse(undefined).success).toBe(false);
  });

  it("optional: unset or empty is undefined; a key set but wrong is still refused", () => {
    expect(optionalSecretsKeySchema.parse(key.toString("base64url"))).toEqual(key);
    expect(optionalSecretsKeySchema.parse(undefined)).toBeUndefined();
    expect(optionalSecretsKeySchema.parse("")).toBeUndefined();
    expect(issues(optionalSecretsKeySchema.safeParse("c2hvcnQ="))).toEqual([
      "SECRETS_KEY must be 32 bytes, base64-encoded",
    ]);
  });
});
