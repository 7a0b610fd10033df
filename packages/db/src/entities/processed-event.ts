import { defineEntity, type InferEntity, p } from "@mikro-orm/core";

/**
 * The memory of idempotent consumers (`processed_events`, FIX 10): inserted in the same transaction as the
 * effect of an event, so a redelivery hits the primary key and is recognised as already handled.
 */
export const ProcessedEvent = defineEntity({
  name: "ProcessedEvent",
  tableName: "processed_events",
  properties: {
    eventId: p.string().length(64).primary(),
    topic: p.string().length(255),
    // Not every event belongs to a job, and a job may be gone (retention) while its events are remembered.
    processingId: p.string().length(40).nullable(),
    processedAt: p.datetime().defaultRaw("now()"),
  },
});

/** A row of `processed_events`. */
export type ProcessedEvent = InferEntity<typeof ProcessedEvent>;
