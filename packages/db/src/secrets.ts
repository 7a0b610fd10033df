import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/**
 * Seals secrets the system must use again (webhook and callback signing secrets, a customer's ElevenLabs
 * key) before they reach the database: AES-256-GCM under the deployment's SECRETS_KEY, so a database dump
 * alone reveals none of them. Format: `v1.<iv>.<tag>.<ciphertext>`, base64url parts; the version lets a
 * later key rotation tell old rows from new.
 */
export interface SecretBox {
  seal(plaintext: string): string;
  /** Throws when the value was not sealed under this key or was altered. */
  open(sealed: string): string;
}

/** Parses a SECRETS_KEY: 32 bytes, base64 (standard or url-safe). */
export function parseSecretsKey(encoded: string): Buffer {
  const key = Buffer.from(encoded, "base64");
  if (key.length !== 32) throw new Error("SECRETS_KEY must be 32 bytes, base64-encoded");
  return key;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("a secret box needs a 32-byte key");
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
        .join(".");
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split(".");
      if (version !== "v1" || iv === undefined || tag === undefined || body === undefined) {
        throw new Error("not a sealed secret");
      }
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
        "utf8",
      );
    },
  };
}
