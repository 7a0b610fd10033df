import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";

/**
 * The gateway's memory of a job it accepted (`gateway_submissions`), written before the projector has made
 * the job row: it answers "pending" right after a 202, recognises a client's retry by `Idempotency-Key`, and
 * refuses a conversation submitted twice. The gateway is its only writer; rows are never updated.
 */
export const GatewaySubmission = defineEntity({
  name: "GatewaySubmission",
  tableName: "gateway_submissions",
  properties: {
    /** The id the job will have (`proc_` + ULID, the same shape as `conversation_processing`'s). */
    processingId: p.string().length(40).primary(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    conversationId: p.string().length(255),
    emailId: p.string().length(255),
    /** Unique per account when given (a partial unique index, `uq_gateway_submissions_idempotency_key`). */
    idempotencyKey: p.string().length(255).nullable(),
    /** Lowercase hex sha256 of the canonical request body: the same key with another body is a 409. */
    requestHash: p.character().length(64),
    createdAt: p.datetime().defaultRaw("now()"),
  },
});

/** A row of `gateway_submissions`. */
export type GatewaySubmission = InferEntity<typeof GatewaySubmission>;
