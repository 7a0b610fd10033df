import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";
import { createdAt, updatedAt } from "./timestamps.ts";

/**
 * Per-account knobs of the pipeline (`account_settings`, at most one row per account). Defaults mirror the
 * column defaults so an entity created in memory reads the same as the row the database would store.
 */
export const AccountSettings = defineEntity({
  name: "AccountSettings",
  tableName: "account_settings",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id").unique(),
    defaultEmailTemplate: p.text().nullable(),
    emailSubjectTemplate: p.string().length(255).nullable(),
    emailFromName: p.string().length(255).nullable(),
    emailFromAddress: p.string().length(255).nullable(),
    /** 1–100. */
    maxFileSizeMb: p.integer().default(10),
    /** 1–60. */
    processingTimeoutMinutes: p.integer().default(10),
    enableAudioStorage: p.boolean().default(true),
    enableTranscriptStorage: p.boolean().default(true),
    enableReportGeneration: p.boolean().default(true),
    openaiModel: p.string().length(100).default("gpt-4"),
    /** 1–32000. */
    openaiMaxTokens: p.integer().default(1000),
    customSystemPrompt: p.text().nullable(),
    /** An S3 bucket name (3–63 lowercase letters, digits, dots, hyphens); NULL means the shared bucket. */
    minioBucketName: p.string().length(255).nullable(),
    /** 1–365. */
    fileRetentionDays: p.integer().default(30),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** The row of `account_settings` of one account. */
export type AccountSettings = InferEntity<typeof AccountSettings>;
