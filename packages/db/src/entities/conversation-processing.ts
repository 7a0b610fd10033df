import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import type { JobSettingsSnapshot } from "@postprocess/contracts";
import { IntervalMsType } from "../interval-ms.ts";
import { jobStatuses, sentiments } from "../status.ts";
import { Account } from "./account.ts";
import { createdAt, updatedAt } from "./timestamps.ts";

/** A key point or action item of a summary, with the transcript turns it rests on (the events' shape). */
export interface GroundedItem {
  text: string;
  /** 0-based indexes into the transcript. */
  turns: number[];
  /** `time_in_call_secs` of the first cited turn. */
  at_secs?: number | null;
}

/** A skipped step or a degradation (e.g. NO_AUDIO, REPORT_DISABLED): worth telling, not a failure. */
export interface ProcessingWarning {
  code: string;
  message: string;
}

/**
 * One processing job of one conversation (`conversation_processing`): its status, progress, artifacts and
 * summary. The projector is its only writer.
 */
export const ConversationProcessing = defineEntity({
  name: "ConversationProcessing",
  tableName: "conversation_processing",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    /** The public id, `proc_` + ULID (see `processing-id.ts`); what events and the API use. */
    processingId: p.string().length(40).unique(),
    conversationId: p.string().length(255),
    emailId: p.string().length(255),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    status: p.enum(jobStatuses).columnType("varchar(50)").default("pending"),
    progress: p.integer().default(0),
    currentStep: p.string().length(100).nullable(),
    errorMessage: p.text().nullable(),
    errorCode: p.string().length(64).nullable(),
    processingStartedAt: p.datetime().nullable(),
    processingCompletedAt: p.datetime().nullable(),
    estimatedCompletion: p.datetime().nullable(),
    /** Wall time from start to a terminal status, in ms. */
    totalDuration: p.type(IntervalMsType).nullable(),
    minioTranscriptUrl: p.text().nullable(),
    minioAudioUrl: p.text().nullable(),
    minioReportUrl: p.text().nullable(),
    openaiSummary: p.text().nullable(),
    summaryTopic: p.string().length(255).nullable(),
    // NULL until summarized; the CHECK lets NULL through on purpose.
    summarySentiment: p.enum(sentiments).columnType("varchar(50)").nullable(),
    summaryKeyPoints: p.json<GroundedItem[]>().nullable(),
    summaryActionItems: p.json<GroundedItem[]>().nullable(),
    // A fresh array per entity (a shared `.default([])` would be one array mutated by every job).
    warnings: p.json<ProcessingWarning[]>().onCreate(() => []),
    /**
     * The settings the job runs with, snapshotted by the gateway and carried by `conversation.ended`; NULL
     * for outside publishers that sent none (each step then reads the account's settings as they are).
     */
    settings: p.json<JobSettingsSnapshot>().nullable(),
    /**
     * How many events are folded into this row; readers of `processing.status` drop older copies by it.
     * A plain counter the projector bumps, not MikroORM's optimistic-lock `.version()`.
     */
    version: p.bigint("number").default(0),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** A row of `conversation_processing`. */
export type ConversationProcessing = InferEntity<typeof ConversationProcessing>;
