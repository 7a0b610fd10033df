import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";

/**
 * Request counts of one API key on one endpoint in one time window (`api_usage_metrics`). The unique
 * (key, endpoint, window start) lets every gateway replica add to the same row with an upsert.
 */
export const ApiUsageMetric = defineEntity({
  name: "ApiUsageMetric",
  tableName: "api_usage_metrics",
  properties: {
    // BIGINT identity, as a string: an internal surrogate nobody does arithmetic on, read losslessly.
    id: p.bigint("string").primary().autoincrement(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    /** A hash of the key, never the key itself. */
    apiKeyHash: p.string().length(255),
    endpoint: p.string().length(100),
    requestCount: p.integer().default(1),
    successCount: p.integer().default(0),
    errorCount: p.integer().default(0),
    rateLimitExceeded: p.boolean().default(false),
    rateLimitResetAt: p.datetime().nullable(),
    windowStart: p.datetime(),
    /** Strictly after `windowStart` (`valid_window`). */
    windowEnd: p.datetime(),
    createdAt: p.datetime().defaultRaw("now()"),
  },
  uniques: [{ name: "uq_api_usage_metrics_window", properties: ["apiKeyHash", "endpoint", "windowStart"] }],
});

/** A row of `api_usage_metrics`. */
export type ApiUsageMetric = InferEntity<typeof ApiUsageMetric>;
