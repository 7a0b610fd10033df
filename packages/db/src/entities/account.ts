import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { createdAt, updatedAt } from "./timestamps.ts";

/** A customer account (`accounts`, FIX 1): the owner every job, file, setting and metric points at. */
export const Account = defineEntity({
  name: "Account",
  tableName: "accounts",
  properties: {
    // Natural key from the caller (`^[A-Za-z0-9_-]{1,64}$`), not generated.
    id: p.string().length(64).primary(),
    name: p.string().length(255),
    /** Sustained requests a minute per API key (GCRA), 1–1,000,000; set by the admin path, read by the gateway. */
    rateLimitPerMinute: p.integer().default(600),
    /** Requests an API key may send at once (GCRA burst), 1–100,000. */
    rateLimitBurst: p.integer().default(60),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** A row of `accounts`. */
export type Account = InferEntity<typeof Account>;
