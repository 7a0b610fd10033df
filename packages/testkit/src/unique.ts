import { randomBytes } from "node:crypto";

/** A short unique name for per-test resources (topics, groups, buckets, databases, mailboxes). */
export function uniqueName(prefix: string): string {
  const worker = process.env.VITEST_POOL_ID ?? "0";
  return `${prefix}-w${worker}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}
