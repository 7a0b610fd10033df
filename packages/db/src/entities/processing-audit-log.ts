import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { IntervalMsType } from "../interval-ms.ts";
import { auditEventStatuses } from "../status.ts";
import { ConversationProcessing } from "./conversation-processing.ts";

/**
 * One audit row per handled event (`processing_audit_log`): what happened to a job, when and how long it
 * took. Append-only, hence no `updated_at`; the unique `event_id` keeps a redelivery from adding a row.
 */
export const ProcessingAuditLog = defineEntity({
  name: "ProcessingAuditLog",
  tableName: "processing_audit_log",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    eventId: p.string().length(64).unique("uq_processing_audit_log_event"),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    processingId: p
      .manyToOne(ConversationProcessing)
      .mapToPk()
      .targetKey("processingId")
      .joinColumn("processing_id"),
    conversationId: p.string().length(255),
    // A plain column: the table has no foreign key to accounts (the job's own covers it).
    accountId: p.string().length(64),
    eventType: p.string().length(100),
    eventStatus: p.enum(auditEventStatuses).columnType("varchar(50)"),
    stepName: p.string().length(100).nullable(),
    /** How long the step took, in ms. */
    stepDuration: p.type(IntervalMsType).nullable(),
    eventData: p.json<Record<string, unknown>>().nullable(),
    errorMessage: p.text().nullable(),
    retryCount: p.integer().default(0),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});

/** A row of `processing_audit_log`. */
export type ProcessingAuditLog = InferEntity<typeof ProcessingAuditLog>;
