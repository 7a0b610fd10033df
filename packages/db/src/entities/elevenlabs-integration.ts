import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";
import { createdAt, updatedAt } from "./timestamps.ts";

/**
 * An account's ElevenLabs integration (`elevenlabs_integrations`, at most one per account): webhook secrets,
 * the API key and the progress of the missed-webhook reconciliation sweep. The gateway owns it; the secrets
 * are stored sealed (`SecretBox`), because they must be used again and so cannot be hashed.
 */
export const ElevenLabsIntegration = defineEntity({
  name: "ElevenLabsIntegration",
  tableName: "elevenlabs_integrations",
  properties: {
    // The account is the primary key: one integration per account, gone with it (ON DELETE CASCADE).
    accountId: p.oneToOne(Account).primary().mapToPk().joinColumn("account_id"),
    /** Sealed. Two during a rotation: a webhook signed with either is accepted. */
    webhookSecret: p.text().nullable(),
    /** Sealed; the secret being rotated out. */
    webhookSecretPrevious: p.text().nullable(),
    /** Sealed. Used by the reconciliation sweep to list the account's conversations. */
    apiKey: p.text().nullable(),
    /** Only this agent's conversations are reconciled (NULL: all of the key's). */
    agentId: p.string().length(255).nullable(),
    /** Who receives the report of a conversation that arrives by webhook or by reconciliation. */
    recipientEmail: p.string().length(255),
    reconcileEnabled: p.boolean().default(false),
    /** Conversations that started before this instant have been reconciled. */
    reconciledUntil: p.datetime().nullable(),
    /** ElevenLabs answered 429 (Retry-After): no run lists this account's conversations before then. */
    reconcileNotBefore: p.datetime().nullable(),
    /** A run stopped before the end of its window: the next one lists conversations started before this. */
    reconcileResumeBefore: p.datetime().nullable(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** A row of `elevenlabs_integrations`. */
export type ElevenLabsIntegration = InferEntity<typeof ElevenLabsIntegration>;
