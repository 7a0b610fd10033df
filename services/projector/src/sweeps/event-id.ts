import { createHash } from "node:crypto";

/**
 * A deterministic event id from its parts: the same hash as `derivedEventId` of `@postprocess/worker`
 * (reimplemented so the projector does not depend on the worker runtime). Replicas sweeping the same job
 * publish the same id, and the projector's `processed_events` folds it once.
 */
export function derivedEventId(...parts: (string | number)[]): string {
  return `evt_${createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 40)}`;
}
