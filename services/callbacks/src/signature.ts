import { createHmac } from "node:crypto";

const PREFIX = "whsec_";

/**
 * The Standard Webhooks signature of one message: `v1,<base64 HMAC-SHA256>` over `${id}.${timestamp}.${body}`,
 * keyed with the secret's base64 part (what follows `whsec_`). Any Standard Webhooks library verifies it.
 */
export function signCallback(secret: string, id: string, timestampSecs: number, body: string): string {
  if (!secret.startsWith(PREFIX)) throw new Error("a callback secret starts with whsec_");
  const key = Buffer.from(secret.slice(PREFIX.length), "base64");
  const mac = createHmac("sha256", key).update(`${id}.${timestampSecs}.${body}`, "utf8").digest("base64");
  return `v1,${mac}`;
}

/** The three headers of a signed delivery (Standard Webhooks names). */
export function signedHeaders(
  secret: string,
  id: string,
  timestampSecs: number,
  body: string,
): Record<"webhook-id" | "webhook-timestamp" | "webhook-signature", string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSecs),
    "webhook-signature": signCallback(secret, id, timestampSecs, body),
  };
}
