import { defineEntity, type InferEntity, p } from "@mikro-orm/core";
import { Account } from "./account.ts";

/** Which kind of key (`valid_api_key_environment`): the `pp_live_` or `pp_test_` prefix of the key. */
export const apiKeyEnvironments = ["live", "test"] as const;

/**
 * An API key of an account (`api_keys`). The gateway owns it (admin API and CLI create and revoke keys,
 * authentication stamps `last_used_at`); only the SHA-256 of the key is stored, since a key is only compared.
 */
export const ApiKey = defineEntity({
  name: "ApiKey",
  tableName: "api_keys",
  properties: {
    /** `key_` + ULID (`valid_api_key_id`); not the secret key itself. */
    id: p.string().length(40).primary(),
    // Mapped to its key: code deals in plain ids, as events do; the unit of work still orders inserts by FK.
    accountId: p.manyToOne(Account).mapToPk().joinColumn("account_id"),
    name: p.string().length(100),
    environment: p.enum(apiKeyEnvironments).columnType("varchar(4)"),
    /** The first characters of the key (`pp_live_AbC1`), shown in listings so a person can tell keys apart. */
    keyPrefix: p.string().length(24),
    /** Lowercase hex SHA-256 of the key (`uq_api_keys_key_hash`): what authentication looks up. */
    keyHash: p.character().length(64).unique("uq_api_keys_key_hash"),
    createdAt: p.datetime().defaultRaw("now()"),
    lastUsedAt: p.datetime().nullable(),
    /** Set once; a revoked key authenticates nothing. */
    revokedAt: p.datetime().nullable(),
  },
});

/** A row of `api_keys`. */
export type ApiKey = InferEntity<typeof ApiKey>;
