import { avroRecord, optional, ref } from "../avro.ts";
import { JobSettingsRecord } from "./job-settings.ts";
import { ErrorInfo, envelopeFields, FileRef, GroundedItem, NS, Step, Turn, Warning } from "./shared.ts";

/**
 * The settings snapshot of `conversation.ended`, carried along by every step's output: the next step runs
 * with it even when the projector has not stored the job yet (under load it often has not). Added with a
 * default, so events written before it still read.
 */
const carriedSettings = optional(
  "settings",
  JobSettingsRecord,
  "The job's settings snapshot, as conversation.ended carried it. Null: each step reads the account's live settings.",
);

/** Lifecycle of one step of one job: started, completed, failed, retried, skipped, cancelled. */
export const stepEventSchema = avroRecord({
  type: "record",
  name: "StepEvent",
  namespace: NS,
  fields: [
    ...envelopeFields,
    { name: "step", type: Step },
    {
      name: "status",
      type: {
        type: "enum",
        name: "StepStatus",
        namespace: NS,
        symbols: ["started", "completed", "failed", "retried", "skipped", "cancelled"],
      },
    },
    { name: "attempt", type: "int", default: 1 },
    optional("duration_ms", "long"),
    optional("error", ErrorInfo),
    optional("warning", Warning),
  ],
});

/** extractor → storage: the normalised transcript and where the audio is (never the audio itself). */
export const transcriptExtractedSchema = avroRecord({
  type: "record",
  name: "TranscriptExtracted",
  namespace: NS,
  fields: [
    ...envelopeFields,
    optional("agent_id", "string"),
    optional("started_at", "string"),
    optional("duration_secs", "double"),
    { name: "turns", type: { type: "array", items: Turn } },
    optional("audio_url", "string", "Where storage streams the recording from; null when there is none."),
    { name: "warnings", type: { type: "array", items: Warning }, default: [] },
    carriedSettings,
  ],
});

/** storage → summarizer: the objects written to S3. */
export const artifactsStoredSchema = avroRecord({
  type: "record",
  name: "ArtifactsStored",
  namespace: NS,
  fields: [
    ...envelopeFields,
    { name: "files", type: { type: "array", items: FileRef } },
    { name: "warnings", type: { type: "array", items: Warning }, default: [] },
    optional(
      "transcript",
      ref(FileRef),
      "The normalised transcript JSON the next steps read (also when it is not kept as an artifact).",
    ),
    carriedSettings,
  ],
});

/** summarizer → report. */
export const summaryGeneratedSchema = avroRecord({
  type: "record",
  name: "SummaryGenerated",
  namespace: NS,
  fields: [
    ...envelopeFields,
    { name: "summary", type: "string" },
    { name: "topic", type: "string" },
    {
      name: "sentiment",
      type: {
        type: "enum",
        name: "Sentiment",
        namespace: NS,
        symbols: ["positive", "negative", "neutral", "mixed"],
      },
    },
    { name: "key_points", type: { type: "array", items: GroundedItem } },
    { name: "action_items", type: { type: "array", items: ref(GroundedItem) } },
    { name: "model", type: "string" },
    optional("prompt_tokens", "int"),
    optional("completion_tokens", "int"),
    optional(
      "transcript",
      FileRef,
      "The normalised transcript JSON (handed on from storage) for the report.",
    ),
    optional(
      "summary_file",
      ref(FileRef),
      "summary.json in S3 (file_type summary): what the mailer puts in the body.",
    ),
    {
      name: "warnings",
      type: { type: "array", items: Warning },
      default: [],
      doc: "Every warning of the job so far: each step hands on its input's warnings plus its own.",
    },
    carriedSettings,
  ],
});

/** report → mailer. */
export const reportGeneratedSchema = avroRecord({
  type: "record",
  name: "ReportGenerated",
  namespace: NS,
  fields: [
    ...envelopeFields,
    optional("report", FileRef, "Null when report generation is disabled."),
    optional("summary_file", ref(FileRef), "Handed on from summary-generated for the mailer."),
    { name: "warnings", type: { type: "array", items: Warning }, default: [] },
    carriedSettings,
  ],
});

/** mailer: the job's email went out (the pipeline's last step). */
export const emailSentSchema = avroRecord({
  type: "record",
  name: "EmailSent",
  namespace: NS,
  fields: [...envelopeFields, { name: "recipient", type: "string" }, { name: "message_id", type: "string" }],
});

/** gateway → everyone: stop this job. Workers check before each step; the projector marks it cancelled. */
export const cancelRequestedSchema = avroRecord({
  type: "record",
  name: "CancelRequested",
  namespace: NS,
  fields: [...envelopeFields, optional("reason", "string")],
});
