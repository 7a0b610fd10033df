import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { fileTypes } from "../status.ts";
import { Account } from "./account.ts";
import { ConversationProcessing } from "./conversation-processing.ts";
import { createdAt, updatedAt } from "./timestamps.ts";

/** An artifact of a job in S3 (`conversation_files`): the bytes stay in the bucket, the reference is here. */
export const ConversationFile = defineEntity({
  name: "ConversationFile",
  tableName: "conversation_files",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    /** The owning job (FIX 2: files hang off the unique processing id, not the conversation). */
    processingId: p
      .manyToOne(ConversationProcessing)
      .mapToPk()
      .targetKey("processingId")
      .joinColumn("processing_id"),
    conversationId: p.string().length(255),
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    fileType: p.enum(fileTypes).columnType("varchar(50)"),
    fileName: p.string().length(255),
    // BIGINT (FIX 5) as a number: sizes are added and compared, and stay exact up to 8 PiB.
    fileSize: p.bigint("number").nullable(),
    /** The object key; unique per job, so a retried upload updates its row (uq_conversation_files_object). */
    minioPath: p.text(),
    minioUrl: p.text().nullable(),
    urlExpiresAt: p.datetime().nullable(),
    contentType: p.string().length(100).nullable(),
    /** Lowercase hex SHA-256 of the bytes. */
    checksum: p.string().length(64).nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  uniques: [{ name: "uq_conversation_files_object", properties: ["processingId", "minioPath"] }],
});

/** A row of `conversation_files`. */
export type ConversationFile = InferEntity<typeof ConversationFile>;
