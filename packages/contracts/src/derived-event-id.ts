import { createHash } from "node:crypto";

/**
 * A deterministic event id: the same outcome (a step's result, a sweep's decision) for the same job always
 * gets the same id, so work run again after a crash, a redelivery or by a second replica publishes events the
 * projector (and every consumer) recognises as already seen, instead of a second audit row or hand-off.
 */
export function derivedEventId(...parts: (string | number)[]): string {
  return `evt_${createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 40)}`;
}
