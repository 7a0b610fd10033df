import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";
import { createdAt, updatedAt } from "./timestamps.ts";

/**
 * Where an account wants its completion callbacks (`callback_endpoints`, at most one per account). The
 * gateway owns it (callback endpoint routes); the callbacks service reads it to sign and send deliveries.
 */
export const CallbackEndpoint = defineEntity({
  name: "CallbackEndpoint",
  tableName: "callback_endpoints",
  properties: {
    // The account is the primary key: one endpoint per account, gone with it (ON DELETE CASCADE).
    accountId: p.oneToOne(Account).primary().mapToPk().joinColumn("account_id"),
    /** `http://` or `https://` (`valid_callback_url`). */
    url: p.text(),
    /** Sealed `whsec_…` Standard Webhooks signing secret: it must be used again, so it cannot be hashed. */
    secret: p.text(),
    enabled: p.boolean().default(true),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** A row of `callback_endpoints`. */
export type CallbackEndpoint = InferEntity<typeof CallbackEndpoint>;
