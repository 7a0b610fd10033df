import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { CallbackDelivery } from "./callback-delivery.ts";

/**
 * One HTTP attempt of a callback delivery (`callback_delivery_attempts`), append-only. The callbacks service
 * owns it and writes it with the delivery's new state; the unique (delivery, attempt) keeps a retried write
 * from recording an attempt twice.
 */
export const CallbackDeliveryAttempt = defineEntity({
  name: "CallbackDeliveryAttempt",
  tableName: "callback_delivery_attempts",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    deliveryId: p.manyToOne(CallbackDelivery).mapToPk().joinColumn("delivery_id"),
    /** 1-based. */
    attempt: p.integer(),
    attemptedAt: p.datetime(),
    durationMs: p.integer(),
    /** NULL when no HTTP answer came (timeout, refused connection). */
    statusCode: p.integer().nullable(),
    error: p.text().nullable(),
  },
  uniques: [{ name: "uq_callback_delivery_attempts", properties: ["deliveryId", "attempt"] }],
});

/** A row of `callback_delivery_attempts`. */
export type CallbackDeliveryAttempt = InferEntity<typeof CallbackDeliveryAttempt>;
