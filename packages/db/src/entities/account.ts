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
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});

/** A row of `accounts`. */
export type Account = InferEntity<typeof Account>;
