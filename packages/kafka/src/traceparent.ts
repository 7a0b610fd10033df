import { randomBytes } from "node:crypto";

/** A parsed W3C `traceparent` header (https://www.w3.org/TR/trace-context/#traceparent-header). */
export interface TraceParent {
  version: string;
  traceId: string;
  spanId: string;
  flags: string;
}

const shape = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** Parses a traceparent; undefined when it is malformed, so a bad upstream header starts a new trace. */
export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  if (!value) return undefined;
  const m = shape.exec(value.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  // "ff" is forbidden; version 00 has exactly four fields (later versions may append more).
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { version, traceId, spanId, flags };
}

/** Formats a version-00 traceparent. */
export function formatTraceparent(t: Pick<TraceParent, "traceId" | "spanId" | "flags">): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}

/** A new trace: random 16-byte trace id and 8-byte span id, sampled (flags 01). */
export function createTraceparent(): string {
  return formatTraceparent({ traceId: nonZeroHex(16), spanId: nonZeroHex(8), flags: "01" });
}

/**
 * The traceparent of a message produced on behalf of `parent`: same trace and flags, a fresh span id
 * (the produce is a new span whose parent is the caller's). Without a valid parent a new trace starts.
 */
export function childTraceparent(parent: string | undefined): string {
  const p = parseTraceparent(parent);
  if (!p) return createTraceparent();
  return formatTraceparent({ traceId: p.traceId, spanId: nonZeroHex(8), flags: p.flags });
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString("hex");
    if (!/^0+$/.test(hex)) return hex;
  }
}
