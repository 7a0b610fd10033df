import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";

/** The outcomes a callback reports (`valid_callback_event_type`). */
export const callbackEventTypes = ["job.completed", "job.failed"] as const;

/** The states of a delivery (`valid_callback_delivery_status`): still being tried, or finished either way. */
export const callbackDeliveryStatuses = ["pending", "succeeded", "failed"] as const;

/**
 * One completion callback of one job (`callback_deliveries`). The callbacks service owns it (the gateway
 * only reads it for the deliveries API); the unique (job, event type) makes a redelivered status event find
 * its row and enqueue nothing twice.
 */
export const CallbackDelivery = defineEntity({
  name: "CallbackDelivery",
  tableName: "callback_deliveries",
  properties: {
    /** `msg_` + ULID (`valid_callback_delivery_id`): the Standard Webhooks `webhook-id`, stable across retries. */
    id: p.string().length(40).primary(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    // A plain column: the job row is the projector's, and a delivery outlives it (retention).
    processingId: p.string().length(40),
    eventType: p.enum(callbackEventTypes).columnType("varchar(40)"),
    /** The URL last posted to (the endpoint's at enqueue): a changed endpoint applies to pending deliveries. */
    url: p.text(),
    /** The JSON body sent, the same on every attempt. */
    payload: p.json<Record<string, unknown>>(),
    status: p.enum(callbackDeliveryStatuses).columnType("varchar(16)").default("pending"),
    attempts: p.integer().default(0),
    /** Set exactly while `pending` (`valid_callback_next_attempt`). */
    nextAttemptAt: p.datetime().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastError: p.text().nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
  uniques: [{ name: "uq_callback_deliveries_job_event", properties: ["processingId", "eventType"] }],
});

/** A row of `callback_deliveries`. */
export type CallbackDelivery = InferEntity<typeof CallbackDelivery>;
