import { UnderscoreNamingStrategy } from "@mikro-orm/core";
import { Migrator } from "@mikro-orm/migrations";
import { type MigrationInfo, MikroORM } from "@mikro-orm/postgresql";
import { migrationsList } from "@postprocess/migrations";
import { Account } from "./entities/account.ts";
import { AccountSettings } from "./entities/account-settings.ts";
import { ApiKey } from "./entities/api-key.ts";
import { ApiRateLimit } from "./entities/api-rate-limit.ts";
import { ApiUsageMetric } from "./entities/api-usage-metric.ts";
import { CallbackDelivery } from "./entities/callback-delivery.ts";
import { CallbackDeliveryAttempt } from "./entities/callback-delivery-attempt.ts";
import { CallbackEndpoint } from "./entities/callback-endpoint.ts";
import { ConversationFile } from "./entities/conversation-file.ts";
import { ConversationProcessing } from "./entities/conversation-processing.ts";
import { ElevenLabsIntegration } from "./entities/elevenlabs-integration.ts";
import { ElevenLabsWebhookReceipt } from "./entities/elevenlabs-webhook-receipt.ts";
import { EmailDelivery } from "./entities/email-delivery.ts";
import { GatewaySubmission } from "./entities/gateway-submission.ts";
import { ProcessedEvent } from "./entities/processed-event.ts";
import { ProcessingAuditLog } from "./entities/processing-audit-log.ts";

/** Every entity of the schema, one per table of the migrations. */
export const entities = [
  Account,
  ConversationProcessing,
  ConversationFile,
  ProcessingAuditLog,
  AccountSettings,
  ApiUsageMetric,
  ProcessedEvent,
  GatewaySubmission,
  EmailDelivery,
  ApiKey,
  ApiRateLimit,
  ElevenLabsIntegration,
  ElevenLabsWebhookReceipt,
  CallbackEndpoint,
  CallbackDelivery,
  CallbackDeliveryAttempt,
] as const;

/** What `createOrm` needs: where the database is, and whether to log every query. */
export interface OrmOptions {
  /** `postgresql://user:pass@host:port/db`. */
  clientUrl: string;
  /** Log every SQL statement (MikroORM's logger). */
  debug?: boolean;
}

/**
 * Builds the ORM for the Postprocess schema. Nothing connects until the first query, so building it is
 * cheap and safe anywhere; the caller owns it and must `close()` it. It never creates or alters tables:
 * the schema comes only from the hand-written migrations (`migrate`).
 */
export function createOrm({ clientUrl, debug = false }: OrmOptions): MikroORM {
  return new MikroORM({
    clientUrl,
    debug,
    entities: [...entities],
    // Explicit, because the entities rely on it to turn camelCase properties into the snake_case columns.
    namingStrategy: UnderscoreNamingStrategy,
    // Every unit of work must fork its own EntityManager (one per message or request).
    allowGlobalContext: false,
    // Small services on small machines: ten connections per process is plenty and keeps replicas × pools
    // well under PostgreSQL's default max_connections (100). Idle ones are dropped.
    pool: { min: 0, max: 10, idleTimeoutMillis: 30_000 },
    extensions: [Migrator],
    // No snapshot file: the schema comes from hand-written migrations, not entity diffs.
    migrations: { migrationsList, snapshot: false, silent: true },
  });
}

/**
 * Applies every pending migration; returns the ones it applied (none when the schema is current). Replicas
 * starting together would race to create the same tables, so all of it runs in one transaction holding a
 * transaction-scoped advisory lock: the second replica waits, then finds nothing left to apply.
 */
export function migrate(orm: MikroORM): Promise<MigrationInfo[]> {
  return orm.em.fork().transactional(async (em) => {
    const transaction = em.getTransactionContext();
    await em
      .getConnection()
      .execute(
        "SELECT pg_advisory_xact_lock(hashtextextended('postprocess:migrate', 0))",
        [],
        "all",
        transaction,
      );
    return orm.migrator.up({ transaction });
  });
}
