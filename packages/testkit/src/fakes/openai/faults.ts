/**
 * What the fake can do wrong, one request at a time (`failNext(fault, n)`):
 *
 * - `rate_limit` — 429 `rate_limit_exceeded` with `retry-after-ms` / `retry-after` headers;
 * - `server_error` — 500 `server_error`;
 * - `hang` — accepts the request and never answers (the client's timeout fires);
 * - `refusal` — 200 with `message.refusal` set and `content: null`;
 * - `length` — 200 with `finish_reason: "length"` and the JSON cut off;
 * - `invalid_json` — 200 with content that is not JSON;
 * - `bad_turns` — 200 with a valid answer whose grounded lists also cite turn indexes that do not exist.
 */
export const faults = [
  "rate_limit",
  "server_error",
  "hang",
  "refusal",
  "length",
  "invalid_json",
  "bad_turns",
] as const;

/** One of `faults`. */
export type Fault = (typeof faults)[number];

/** How a fault behaves. */
export interface FaultOptions {
  /** For `rate_limit`: the wait the 429 asks for (`retry-after-ms`; `retry-after` is it in whole seconds). */
  retryAfterMs?: number;
}

/** A turn index no test transcript reaches. */
export const hallucinatedTurn = 9_999;

/**
 * `value` with one extra item in every list of grounded items (objects with `text` and `turns`), citing a
 * turn that does not exist: what a model that invents evidence returns.
 */
export function withHallucinatedTurns(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(withHallucinatedTurns);
    const first = value[0] as Record<string, unknown> | undefined;
    if (first && typeof first === "object" && Array.isArray(first.turns) && "text" in first) {
      items.push({ ...first, text: `Invented claim: ${String(first.text)}`, turns: [hallucinatedTurn] });
    }
    return items;
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withHallucinatedTurns(v)]));
  }
  return value;
}
