import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signCallback, signedHeaders } from "./signature.ts";

describe("signCallback", () => {
  it("reproduces the Standard Webhooks specification's test vector", () => {
    // From the spec's reference libraries (standard-webhooks/standard-webhooks): any receiver using them
    // verifies our deliveries.
    expect(
      signCallback(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("keys the HMAC with the decoded secret, not its text", () => {
    const key = Buffer.alloc(32, 7);
    const secret = `whsec_${key.toString("base64")}`;
    const expected = createHmac("sha256", key).update("msg_1.10.{}").digest("base64");
    expect(signCallback(secret, "msg_1", 10, "{}")).toBe(`v1,${expected}`);
    expect(signCallback(secret, "msg_1", 11, "{}")).not.toBe(`v1,${expected}`);
  });

  it("refuses a secret without the whsec_ prefix", () => {
    expect(() => signCallback("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_1", 1, "{}")).toThrow(/whsec_/);
  });

  it("names the headers as Standard Webhooks does", () => {
    const h = signedHeaders(
      "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
      "msg_p5jXN8AQM9LWM0D4loKWxJek",
      1614265330,
      '{"test": 2432232314}',
    );
    expect(h).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
  });
});
