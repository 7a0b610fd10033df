import { optional } from "../avro.ts";

/** Avro namespace of every Postprocess event. */
export const NS = "dev.postprocess.events";

/** Fields every pipeline event carries: who, which job, and its own id for idempotency. */
export const envelopeFields = [
  { name: "event_id", type: "string", doc: "Unique per event; consumers de-duplicate on it." },
  { name: "occurred_at", type: "string", doc: "ISO-8601 UTC instant the event happened." },
  { name: "processing_id", type: "string", doc: "The job: proc_ + ULID." },
  { name: "conversation_id", type: "string" },
  { name: "account_id", type: "string" },
] as const;

/** The closed set of job statuses (the seed's, plus `archived`). */
export const jobStatuses = [
  "pending",
  "extracting",
  "storing",
  "summarizing",
  "generating_report",
  "sending_email",
  "completed",
  "failed",
  "cancelled",
  "archived",
] as const;

/** Statuses a job never leaves on its own: late events for such a job change nothing. */
export const terminalStatuses = [
  "completed",
  "failed",
  "cancelled",
  "archived",
] as const satisfies readonly (typeof jobStatuses)[number][];

/** Summary sentiments. */
export const sentiments = ["positive", "negative", "neutral", "mixed"] as const;

export const JobStatus = { type: "enum", name: "JobStatus", namespace: NS, symbols: jobStatuses } as const;

/** Pipeline steps, in order. */
export const steps = ["extract", "store", "summarize", "report", "email"] as const;
export const Step = { type: "enum", name: "Step", namespace: NS, symbols: steps } as const;

export const ErrorInfo = {
  type: "record",
  name: "ErrorInfo",
  namespace: NS,
  fields: [
    {
      name: "code",
      type: "string",
      doc: "Closed, machine-readable code, e.g. ELEVENLABS_NOT_FOUND, TIMEOUT.",
    },
    { name: "message", type: "string" },
  ],
} as const;

/** A warning: a step skipped or degraded without failing the job (e.g. NO_AUDIO, REPORT_DISABLED). */
export const Warning = {
  type: "record",
  name: "Warning",
  namespace: NS,
  fields: [
    { name: "code", type: "string" },
    { name: "message", type: "string" },
  ],
} as const;

export const fileTypes = ["transcript", "audio", "report", "summary"] as const;

/** An object in S3: large bytes travel by reference only. */
export const FileRef = {
  type: "record",
  name: "FileRef",
  namespace: NS,
  fields: [
    { name: "file_type", type: { type: "enum", name: "FileType", namespace: NS, symbols: fileTypes } },
    { name: "file_name", type: "string" },
    { name: "bucket", type: "string" },
    { name: "key", type: "string" },
    { name: "size", type: "long" },
    { name: "sha256", type: "string" },
    { name: "content_type", type: "string" },
    optional("url", "string", "Presigned GET URL; expires at url_expires_at."),
    optional("url_expires_at", "string"),
  ],
} as const;

/** A conversation turn: agent/user speech, or a tool call/result (kept as an event, not as text). */
export const Turn = {
  type: "record",
  name: "Turn",
  namespace: NS,
  fields: [
    { name: "role", type: { type: "enum", name: "Role", namespace: NS, symbols: ["agent", "user", "tool"] } },
    { name: "message", type: "string" },
    { name: "time_in_call_secs", type: "double" },
    optional("tool_name", "string"),
  ],
} as const;

/** A key point or action item, grounded in the transcript turns it rests on. */
export const GroundedItem = {
  type: "record",
  name: "GroundedItem",
  namespace: NS,
  fields: [
    { name: "text", type: "string" },
    { name: "turns", type: { type: "array", items: "int" }, doc: "0-based indexes into the transcript." },
    optional("at_secs", "double", "time_in_call_secs of the first cited turn."),
  ],
} as const;
