import type { Infer } from "./avro.ts";
import { conversationEndedSchema } from "./events/conversation-ended.ts";
import {
  artifactsStoredSchema,
  cancelRequestedSchema,
  emailSentSchema,
  reportGeneratedSchema,
  stepEventSchema,
  summaryGeneratedSchema,
  transcriptExtractedSchema,
} from "./events/pipeline.ts";
import { processingStatusSchema } from "./events/processing-status.ts";
import { filesDeletedSchema, filesExpiredSchema, jobArchivedSchema } from "./events/retention.ts";

/** How a topic is laid out on the broker; the bootstrap applies it idempotently. */
export interface TopicLayout {
  partitions: number;
  /** `compact` keeps the latest record per key forever (status); `delete` expires by time. */
  cleanupPolicy: "delete" | "compact";
  retentionMs?: number;
}

/** One entry of the catalog: name, Avro schema, key function and (through `Infer`) the TS type. */
export interface TopicDef<Name extends string = string, S = unknown> {
  name: Name;
  schema: S;
  /** The partition key: every event of one job hashes to one partition, so their order holds. */
  key(event: Infer<S>): string;
  layout: TopicLayout;
  /** Public topics are contracts other teams build on; internal ones are ours to change compatibly. */
  visibility: "public" | "internal";
  doc: string;
}

function topic<const Name extends string, const S>(def: TopicDef<Name, S>): TopicDef<Name, S> {
  return def;
}

const week = 7 * 24 * 3600 * 1000;
const byJob = (e: { processing_id: string }) => e.processing_id;
const pipeline: TopicLayout = { partitions: 6, cleanupPolicy: "delete", retentionMs: week };

/**
 * Every topic of Postprocess. Producers and consumers are typed from this object: the compiler refuses a
 * payload that does not match a topic's schema and a consumer that lacks a handler for a subscribed topic.
 */
export const topics = {
  conversationEnded: topic({
    name: "conversation.ended",
    schema: conversationEndedSchema,
    // Keyed by conversation: other systems publish it without a processing id.
    key: (e) => `${e.account_id}/${e.conversation_id}`,
    layout: { partitions: 6, cleanupPolicy: "delete", retentionMs: 4 * week },
    visibility: "public",
    doc: "Input: a finished conversation to process.",
  }),
  stepEvent: topic({
    name: "pipeline.step",
    schema: stepEventSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "Every step's lifecycle: started / completed / failed / retried / skipped / cancelled.",
  }),
  transcriptExtracted: topic({
    name: "pipeline.transcript-extracted",
    schema: transcriptExtractedSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "extractor → storage.",
  }),
  artifactsStored: topic({
    name: "pipeline.artifacts-stored",
    schema: artifactsStoredSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "storage → summarizer.",
  }),
  summaryGenerated: topic({
    name: "pipeline.summary-generated",
    schema: summaryGeneratedSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "summarizer → report.",
  }),
  reportGenerated: topic({
    name: "pipeline.report-generated",
    schema: reportGeneratedSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "report → mailer.",
  }),
  emailSent: topic({
    name: "pipeline.email-sent",
    schema: emailSentSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "mailer: the job's email went out.",
  }),
  cancelRequested: topic({
    name: "processing.cancel-requested",
    schema: cancelRequestedSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "gateway → workers and projector: stop a job.",
  }),
  filesExpired: topic({
    name: "retention.files-expired",
    schema: filesExpiredSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "projector retention sweep → storage: delete these objects.",
  }),
  filesDeleted: topic({
    name: "retention.files-deleted",
    schema: filesDeletedSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "storage → projector: the expired objects are gone; drop their rows.",
  }),
  jobArchived: topic({
    name: "retention.job-archived",
    schema: jobArchivedSchema,
    key: byJob,
    layout: pipeline,
    visibility: "internal",
    doc: "projector retention sweep → projector: a completed job past the archive period.",
  }),
  processingStatus: topic({
    name: "processing.status",
    schema: processingStatusSchema,
    key: byJob,
    layout: { partitions: 6, cleanupPolicy: "compact" },
    visibility: "public",
    doc: "Output: the latest state of every job (compacted).",
  }),
} as const;

/** The catalog's type, and names for its parts. */
export type Catalog = typeof topics;
export type TopicKey = keyof Catalog;
export type TopicName = Catalog[TopicKey]["name"];
/** The event type carried by a catalog topic. */
export type EventOf<K extends TopicKey> = Infer<Catalog[K]["schema"]>;

/** Schema-registry subject of a topic (Confluent's TopicNameStrategy: `<topic>-value`). */
export function subjectOf(topicName: string): string {
  return `${topicName}-value`;
}

export const allTopics: readonly TopicDef[] = Object.values(topics) as readonly TopicDef[];
