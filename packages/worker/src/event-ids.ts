import { createHash } from "node:crypto";

/**
 * A deterministic event id: the same step outcome of the same job always gets the same id, so a step run
 * again after a crash or a redelivery publishes events the projector (and every consumer) recognises as
 * already seen, instead of a second audit row or a second hand-off.
 */
export function derivedEventId(...parts: (string | number)[]): string {
  return `evt_${createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 40)}`;
}
