import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { ApiKey } from "./api-key.ts";

/**
 * The GCRA state of one API key (`api_rate_limits`): its "theoretical arrival time", kept in the database so
 * every gateway replica limits the same key together. The gateway owns it and upserts it per request.
 */
export const ApiRateLimit = defineEntity({
  name: "ApiRateLimit",
  tableName: "api_rate_limits",
  properties: {
    // The key is the primary key: one state per key, gone with the key (ON DELETE CASCADE).
    apiKeyId: p.oneToOne(ApiKey).primary().mapToPk().joinColumn("api_key_id"),
    /** The theoretical arrival time; a request before `tat` minus the burst tolerance is refused. */
    tat: p.datetime(),
  },
});

/** A row of `api_rate_limits`. */
export type ApiRateLimit = InferEntity<typeof ApiRateLimit>;
