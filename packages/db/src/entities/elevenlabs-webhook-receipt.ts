import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";

/** The ElevenLabs post-call webhooks the gateway accepts (`valid_webhook_type`). */
export const elevenLabsWebhookTypes = [
  "post_call_transcription",
  "post_call_audio",
  "call_initiation_failure",
] as const;

/**
 * One accepted ElevenLabs webhook (`elevenlabs_webhook_receipts`). The gateway owns it: the unique
 * (account, type, conversation) makes a replayed webhook find its row and start nothing twice.
 */
export const ElevenLabsWebhookReceipt = defineEntity({
  name: "ElevenLabsWebhookReceipt",
  tableName: "elevenlabs_webhook_receipts",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    webhookType: p.enum(elevenLabsWebhookTypes).columnType("varchar(40)"),
    conversationId: p.string().length(255),
    agentId: p.string().length(255).nullable(),
    eventTimestamp: p.datetime().nullable(),
    // A plain column: the job row is the projector's and may not exist yet when the receipt is written.
    /** The job a transcription started (NULL for audio and initiation failures). */
    processingId: p.string().length(40).nullable(),
    /** call_initiation_failure: busy / no-answer / unknown. */
    failureReason: p.string().length(50).nullable(),
    /** call_initiation_failure: the SIP or Twilio details, as ElevenLabs sent them. */
    details: p.json<Record<string, unknown>>().nullable(),
    receivedAt: p.datetime().defaultRaw("now()"),
  },
  uniques: [
    { name: "uq_elevenlabs_webhook_receipts", properties: ["accountId", "webhookType", "conversationId"] },
  ],
});

/** A row of `elevenlabs_webhook_receipts`. */
export type ElevenLabsWebhookReceipt = InferEntity<typeof ElevenLabsWebhookReceipt>;
