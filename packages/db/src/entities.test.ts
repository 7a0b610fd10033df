import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from "@mikro-orm/core";
import type { MikroORM } from "@mikro-orm/postgresql";
import { test } from "@postprocess/testkit";
import { ulid } from "ulid";
import { expect } from "vitest";
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
import { GatewaySubmission } from "./entities/gateway-submission.ts";
import { ProcessedEvent } from "./entities/processed-event.ts";
import { ProcessingAuditLog } from "./entities/processing-audit-log.ts";
import { eventTimeSession } from "./event-time.ts";
import { createOrm, migrate } from "./orm.ts";
import { newProcessingId } from "./processing-id.ts";

// Each entity makes a round trip through a real, migrated database: what one unit of work flushes, another
// reads back identically. That proves the mapping matches the migration, column by column.

async function withOrm(databaseUrl: string, body: (orm: MikroORM) => Promise<void>): Promise<void> {
  const orm = createOrm({ clientUrl: databaseUrl });
  try {
    await migrate(orm);
    await body(orm);
  } finally {
    await orm.close();
  }
}

/** An account and a job for rows that reference them. */
async function seedJob(orm: MikroORM, accountId = "acc_1"): Promise<string> {
  const em = orm.em.fork();
  const processingId = newProcessingId();
  em.create(Account, { id: accountId, name: "Acme" });
  em.create(ConversationProcessing, { processingId, conversationId: "conv_1", emailId: "m_1", accountId });
  await em.flush();
  return processingId;
}

// How MikroORM spells a column type, in PostgreSQL's format_type() words.
function canonicalType(type: string): string {
  return type
    .replace(/^bigserial$/, "bigint")
    .replace(/^int$/, "integer")
    .replace(/^varchar\((\d+)\)$/, "character varying($1)")
    .replace(/^char\((\d+)\)$/, "character($1)")
    .replace(/^timestamptz(\(6\))?$/, "timestamp with time zone");
}

test("every entity maps exactly the columns of its table, with their types and nullability", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const rows = await orm.em
      .fork()
      .execute<{ table: string; column: string; type: string; nullable: boolean }[]>(`
      SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type,
             NOT a.attnotnull AS nullable
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'mikro_orm_migrations'
        AND a.attnum > 0 AND NOT a.attisdropped`);
    const inDatabase = rows.map((r) => `${r.table}.${r.column} ${r.type}${r.nullable ? " null" : ""}`).sort();

    const inEntities = [...orm.getMetadata().getAll().values()]
      .flatMap((meta) =>
        meta.props
          .filter((prop) => prop.persist !== false)
          .map(
            (prop) =>
              `${meta.tableName}.${prop.fieldNames[0]} ${canonicalType(prop.columnTypes[0]!)}${prop.nullable ? " null" : ""}`,
          ),
      )
      .sort();

    expect(inEntities).toEqual(inDatabase);
  });
});

test("Account: the database fills created_at and updated_at, and the entity reads them back", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    const account = em.create(Account, { id: "acc_1", name: "Acme" });
    await em.flush();
    expect(account.createdAt).toBeInstanceOf(Date);
    expect(account.updatedAt).toEqual(account.createdAt);
    // In memory, before any read: the rate limit the column defaults give.
    expect(account).toMatchObject({ rateLimitPerMinute: 600, rateLimitBurst: 60 });

    const found = await orm.em.fork().findOneOrFail(Account, { id: "acc_1" });
    expect(found).toMatchObject({
      id: "acc_1",
      name: "Acme",
      createdAt: account.createdAt,
      rateLimitPerMinute: 600,
      rateLimitBurst: 60,
    });

    const tuned = orm.em.fork();
    tuned.create(Account, { id: "acc_2", name: "Beta", rateLimitPerMinute: 1_000_000, rateLimitBurst: 1 });
    await tuned.flush();
    expect(await orm.em.fork().findOneOrFail(Account, { id: "acc_2" })).toMatchObject({
      rateLimitPerMinute: 1_000_000,
      rateLimitBurst: 1,
    });
  });
});

test("ConversationProcessing: every column round-trips, JSON and interval included", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    const processingId = newProcessingId();
    const values = {
      processingId,
      conversationId: "conv_1",
      emailId: "mail_1",
      accountId: "acc_1",
      status: "archived",
      progress: 100,
      currentStep: "email",
      errorMessage: "none",
      errorCode: "NONE",
      processingStartedAt: new Date("2026-11-26T10:00:00.123Z"),
      processingCompletedAt: new Date("2026-11-26T10:01:23.456Z"),
      estimatedCompletion: new Date("2026-11-26T10:02:00.000Z"),
      totalDuration: 83_333.5,
      minioTranscriptUrl: "s3://b/t.json",
      minioAudioUrl: "s3://b/a.mp3",
      minioReportUrl: "s3://b/r.pdf",
      openaiSummary: "A short call.",
      summaryTopic: "Billing",
      summarySentiment: "mixed",
      summaryKeyPoints: [{ text: "Asked for a refund", turns: [0, 2], at_secs: 1.5 }],
      summaryActionItems: [{ text: "Send the invoice", turns: [3] }],
      warnings: [{ code: "NO_AUDIO", message: "The platform kept no recording." }],
      settings: {
        default_email_template: null,
        email_subject_template: "Call {{conversation_id}}",
        email_from_name: null,
        email_from_address: null,
        max_file_size_mb: 25,
        processing_timeout_minutes: 15,
        enable_audio_storage: false,
        enable_transcript_storage: true,
        enable_report_generation: true,
        openai_model: "gpt-4o-mini",
        openai_max_tokens: 2000,
        custom_system_prompt: null,
        minio_bucket_name: null,
        file_retention_days: 7,
      },
      version: 7,
    } satisfies Partial<ConversationProcessing>;
    // A deep copy, so the comparison below cannot pass by comparing the entity's own arrays to themselves.
    const created = em.create(ConversationProcessing, structuredClone(values));
    await em.flush();
    expect(created.id).toMatch(/^\d+$/);

    const found = await orm.em.fork().findOneOrFail(ConversationProcessing, { processingId });
    expect(found).toMatchObject({ ...values, id: created.id });
    expect(found.createdAt).toBeInstanceOf(Date);
  });
});

test("ConversationProcessing: a minimal job gets the column defaults, and loading it writes nothing", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const processingId = await seedJob(orm);
    const em = orm.em.fork();
    const job = await em.findOneOrFail(ConversationProcessing, { processingId });
    expect(job).toMatchObject({
      status: "pending",
      progress: 0,
      warnings: [],
      version: 0,
      totalDuration: null,
      settings: null,
    });

    job.totalDuration = 1500;
    job.summaryKeyPoints = [{ text: "x", turns: [1] }];
    await em.flush();

    // A loaded JSON or interval value must equal its snapshot, or every flush would UPDATE the row again.
    const fresh = orm.em.fork();
    expect(await fresh.findOneOrFail(ConversationProcessing, { processingId })).toMatchObject({
      totalDuration: 1500,
      summaryKeyPoints: [{ text: "x", turns: [1] }],
    });
    for (const uow of [em.getUnitOfWork(), fresh.getUnitOfWork()]) {
      uow.computeChangeSets();
      expect(uow.getChangeSets()).toHaveLength(0);
    }
  });
});

test("ConversationProcessing: the trigger owns updated_at, except in an event-time fork", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const processingId = await seedJob(orm);
    const eventTime = new Date("2026-01-02T03:04:05.678Z");
    const reload = () => orm.em.fork().findOneOrFail(ConversationProcessing, { processingId });

    // An ordinary unit of work cannot backdate a row: the trigger stamps now().
    const plain = orm.em.fork();
    const job = await plain.findOneOrFail(ConversationProcessing, { processingId });
    job.status = "extracting";
    job.updatedAt = eventTime;
    await plain.flush();
    expect((await reload()).updatedAt.getTime()).toBeGreaterThan(eventTime.getTime());

    // The projector's fork stamps the event's time, and the trigger keeps it.
    const projector = orm.em.fork({ session: eventTimeSession });
    const same = await projector.findOneOrFail(ConversationProcessing, { processingId });
    same.status = "storing";
    same.updatedAt = eventTime;
    await projector.flush();
    expect(await reload()).toMatchObject({ status: "storing", updatedAt: eventTime });
  });
});

test("ConversationFile: round-trips a size over 2 GiB; an upsert on its object key updates the row", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const processingId = await seedJob(orm);
    const values = {
      processingId,
      conversationId: "conv_1",
      accountId: "acc_1",
      fileType: "audio",
      fileName: "call.mp3",
      fileSize: 3 * 2 ** 30 + 1,
      minioPath: `acc_1/${processingId}/audio.mp3`,
      minioUrl: "http://s3/presigned",
      urlExpiresAt: new Date("2026-11-27T10:00:00.000Z"),
      contentType: "audio/mpeg",
      checksum: "0123456789abcdef".repeat(4),
    } as const;
    const em = orm.em.fork();
    const created = em.create(ConversationFile, values);
    await em.flush();

    const found = await orm.em.fork().findOneOrFail(ConversationFile, { id: created.id });
    expect(found).toMatchObject(values);

    // A retried upload: same job and key, so the same row, with the new size.
    await orm.em
      .fork()
      .upsert(
        ConversationFile,
        { ...values, fileSize: 42 },
        { onConflictFields: ["processingId", "minioPath"] },
      );
    const all = await orm.em.fork().find(ConversationFile, { processingId });
    expect(all.map((f) => [f.id, f.fileSize])).toEqual([[created.id, 42]]);
  });
});

test("ProcessingAuditLog: round-trips data and duration; a second row per event is refused", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const processingId = await seedJob(orm);
    const values = {
      eventId: "evt_1",
      processingId,
      conversationId: "conv_1",
      accountId: "acc_1",
      eventType: "step.completed",
      eventStatus: "skipped",
      stepName: "report",
      stepDuration: 250.125,
      eventData: { reason: "REPORT_DISABLED", nested: { n: 1, list: [true, null] } },
      errorMessage: null,
      retryCount: 2,
    } satisfies Partial<ProcessingAuditLog>;
    const em = orm.em.fork();
    em.create(ProcessingAuditLog, structuredClone(values));
    await em.flush();

    const found = await orm.em.fork().findOneOrFail(ProcessingAuditLog, { eventId: "evt_1" });
    expect(found).toMatchObject(values);
    expect(found.createdAt).toBeInstanceOf(Date);

    const again = orm.em.fork();
    again.create(ProcessingAuditLog, { ...values, eventData: null });
    await expect(again.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });
});

test("AccountSettings: in-memory defaults equal the column defaults, and every column round-trips", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const columnDefaults = {
      maxFileSizeMb: 10,
      processingTimeoutMinutes: 10,
      enableAudioStorage: true,
      enableTranscriptStorage: true,
      enableReportGeneration: true,
      openaiModel: "gpt-4",
      openaiMaxTokens: 1000,
      fileRetentionDays: 30,
    };
    const values = {
      accountId: "acc_2",
      defaultEmailTemplate: "<p>{{summary}}</p>",
      emailSubjectTemplate: "Your call {{conversation_id}}",
      emailFromName: "Postprocess",
      emailFromAddress: "noreply@example.com",
      maxFileSizeMb: 100,
      processingTimeoutMinutes: 60,
      enableAudioStorage: false,
      enableTranscriptStorage: false,
      enableReportGeneration: false,
      openaiModel: "gpt-4o-mini",
      openaiMaxTokens: 32_000,
      customSystemPrompt: "Be brief.",
      minioBucketName: "acme-artifacts",
      fileRetentionDays: 365,
    };
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    em.create(Account, { id: "acc_2", name: "Beta" });
    // Before the flush: the entity already reads what the database will store.
    expect(em.create(AccountSettings, { accountId: "acc_1" })).toMatchObject(columnDefaults);
    em.create(AccountSettings, values);
    await em.flush();

    const fork = orm.em.fork();
    expect(await fork.findOneOrFail(AccountSettings, { accountId: "acc_1" })).toMatchObject({
      ...columnDefaults,
      minioBucketName: null,
    });
    expect(await fork.findOneOrFail(AccountSettings, { accountId: "acc_2" })).toMatchObject(values);
  });
});

test("ApiUsageMetric: every column round-trips", async ({ databaseUrl }) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    const values = {
      accountId: "acc_1",
      apiKeyHash: "sha256:abc",
      endpoint: "/v1/conversations",
      requestCount: 12,
      successCount: 10,
      errorCount: 2,
      rateLimitExceeded: true,
      rateLimitResetAt: new Date("2026-11-26T10:01:00.000Z"),
      windowStart: new Date("2026-11-26T10:00:00.000Z"),
      windowEnd: new Date("2026-11-26T10:01:00.000Z"),
    };
    const created = em.create(ApiUsageMetric, values);
    await em.flush();

    const found = await orm.em.fork().findOneOrFail(ApiUsageMetric, { id: created.id });
    expect(found).toMatchObject(values);
    expect(found.createdAt).toBeInstanceOf(Date);
  });
});

test("ProcessedEvent: round-trips, and a redelivered event id surfaces as a unique violation", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    const processingId = newProcessingId();
    em.create(ProcessedEvent, { eventId: "evt_1", topic: "conversation.ended", processingId });
    em.create(ProcessedEvent, { eventId: "evt_2", topic: "step.completed" });
    await em.flush();

    const fork = orm.em.fork();
    expect(await fork.findOneOrFail(ProcessedEvent, { eventId: "evt_1" })).toMatchObject({
      topic: "conversation.ended",
      processingId,
    });
    const bare = await fork.findOneOrFail(ProcessedEvent, { eventId: "evt_2" });
    expect(bare.processingId).toBeNull();
    expect(bare.processedAt).toBeInstanceOf(Date);

    // What an idempotent consumer relies on: the typed exception, not a driver string.
    const redelivery = orm.em.fork();
    redelivery.create(ProcessedEvent, { eventId: "evt_1", topic: "conversation.ended" });
    await expect(redelivery.flush()).rejects.toThrow(UniqueConstraintViolationException);
  });
});

test("GatewaySubmission: round-trips, with and without an idempotency key", async ({ databaseUrl }) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    const keyed = {
      processingId: newProcessingId(),
      accountId: "acc_1",
      conversationId: "conv_1",
      emailId: "mail_1",
      idempotencyKey: "key-1",
      requestHash: "ab".repeat(32),
    };
    const bare = { ...keyed, processingId: newProcessingId(), idempotencyKey: null };
    em.create(GatewaySubmission, keyed);
    em.create(GatewaySubmission, bare);
    await em.flush();

    const fork = orm.em.fork();
    expect(await fork.findOneOrFail(GatewaySubmission, { processingId: keyed.processingId })).toMatchObject(
      keyed,
    );
    const found = await fork.findOneOrFail(GatewaySubmission, { processingId: bare.processingId });
    expect(found).toMatchObject(bare);
    expect(found.createdAt).toBeInstanceOf(Date);
  });
});

test("ApiKey: round-trips with its rate-limit state; one hash is one key, and a key's state goes with it", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    const values = {
      id: `key_${ulid()}`,
      accountId: "acc_1",
      name: "CI pipeline",
      environment: "test",
      keyPrefix: "pp_test_AbC1",
      keyHash: "0123456789abcdef".repeat(4),
      lastUsedAt: new Date("2026-11-26T10:00:00.123Z"),
      revokedAt: null,
    } satisfies Partial<ApiKey>;
    em.create(ApiKey, values);
    const tat = new Date("2026-11-26T10:00:00.100Z");
    em.create(ApiRateLimit, { apiKeyId: values.id, tat });
    // Flushed together: the unit of work must insert the key before the state that references it.
    await em.flush();

    const fork = orm.em.fork();
    const found = await fork.findOneOrFail(ApiKey, { id: values.id });
    expect(found).toMatchObject(values);
    expect(found.createdAt).toBeInstanceOf(Date);
    expect(await fork.findOneOrFail(ApiRateLimit, { apiKeyId: values.id })).toMatchObject({ tat });

    const duplicate = orm.em.fork();
    duplicate.create(ApiKey, { ...values, id: `key_${ulid()}`, environment: "live" });
    await expect(duplicate.flush()).rejects.toThrow(UniqueConstraintViolationException);

    const remover = orm.em.fork();
    remover.remove(await remover.findOneOrFail(ApiKey, { id: values.id }));
    await remover.flush();
    expect(await orm.em.fork().findOne(ApiRateLimit, { apiKeyId: values.id })).toBeNull();
  });
});

test("ElevenLabsIntegration: in-memory defaults equal the column defaults, and every column round-trips", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    em.create(Account, { id: "acc_2", name: "Beta" });
    const bare = em.create(ElevenLabsIntegration, { accountId: "acc_1", recipientEmail: "ops@acme.test" });
    expect(bare.reconcileEnabled).toBe(false);
    const values = {
      accountId: "acc_2",
      webhookSecret: "v1.iv.tag.current",
      webhookSecretPrevious: "v1.iv.tag.previous",
      apiKey: "v1.iv.tag.key",
      agentId: "agent_1",
      recipientEmail: "ops@beta.test",
      reconcileEnabled: true,
      reconciledUntil: new Date("2026-11-26T09:00:00.000Z"),
      reconcileNotBefore: new Date("2026-11-26T10:05:00.000Z"),
      reconcileResumeBefore: new Date("2026-11-26T08:30:00.500Z"),
    } satisfies Partial<ElevenLabsIntegration>;
    em.create(ElevenLabsIntegration, values);
    await em.flush();

    const fork = orm.em.fork();
    expect(await fork.findOneOrFail(ElevenLabsIntegration, { accountId: "acc_1" })).toMatchObject({
      webhookSecret: null,
      apiKey: null,
      reconcileEnabled: false,
      reconciledUntil: null,
      reconcileNotBefore: null,
      reconcileResumeBefore: null,
    });
    const found = await fork.findOneOrFail(ElevenLabsIntegration, { accountId: "acc_2" });
    expect(found).toMatchObject(values);
    expect(found.updatedAt).toBeInstanceOf(Date);
  });
});

test("CallbackDelivery: round-trips with its attempts; the database refuses a pending delivery without a next attempt", async ({
  databaseUrl,
}) => {
  await withOrm(databaseUrl, async (orm) => {
    const em = orm.em.fork();
    em.create(Account, { id: "acc_1", name: "Acme" });
    em.create(CallbackEndpoint, {
      accountId: "acc_1",
      url: "https://hooks.acme.test/pp",
      secret: "v1.a.b.c",
    });
    const processingId = newProcessingId();
    const values = {
      id: `msg_${ulid()}`,
      accountId: "acc_1",
      processingId,
      eventType: "job.failed",
      url: "https://hooks.acme.test/pp",
      payload: {
        type: "job.failed",
        data: { processing_id: processingId, error: { code: "X" } },
        n: [1, null],
      },
      status: "failed",
      attempts: 2,
      nextAttemptAt: null,
      lastAttemptAt: new Date("2026-11-26T10:05:00.250Z"),
      lastStatusCode: 503,
      lastError: "HTTP 503",
      deliveredAt: null,
    } satisfies Partial<CallbackDelivery>;
    em.create(CallbackDelivery, structuredClone(values));
    const attempts = [
      {
        deliveryId: values.id,
        attempt: 1,
        attemptedAt: new Date("2026-11-26T10:00:00.000Z"),
        durationMs: 10_000,
        statusCode: null,
        error: "timeout",
      },
      {
        deliveryId: values.id,
        attempt: 2,
        attemptedAt: values.lastAttemptAt,
        durationMs: 42,
        statusCode: 503,
        error: null,
      },
    ];
    for (const attempt of attempts) em.create(CallbackDeliveryAttempt, attempt);
    await em.flush();

    const fork = orm.em.fork();
    const found = await fork.findOneOrFail(CallbackDelivery, { id: values.id });
    expect(found).toMatchObject(values);
    expect(found.createdAt).toBeInstanceOf(Date);
    expect(await fork.findOneOrFail(CallbackEndpoint, { accountId: "acc_1" })).toMatchObject({
      url: "https://hooks.acme.test/pp",
      secret: "v1.a.b.c",
      enabled: true,
    });
    const recorded = await fork.find(
      CallbackDeliveryAttempt,
      { deliveryId: values.id },
      { orderBy: { attempt: "asc" } },
    );
    expect(recorded).toMatchObject(attempts);

    // A fresh delivery takes the column defaults, which the CHECK only accepts with a next attempt.
    const pending = orm.em.fork();
    const unscheduled = pending.create(CallbackDelivery, {
      ...structuredClone(values),
      id: `msg_${ulid()}`,
      processingId: newProcessingId(),
      status: undefined,
      attempts: undefined,
    });
    expect(unscheduled).toMatchObject({ status: "pending", attempts: 0 });
    await expect(pending.flush()).rejects.toThrow(CheckConstraintViolationException);

    const orphan = orm.em.fork();
    orphan.create(CallbackDeliveryAttempt, { ...attempts[0]!, deliveryId: `msg_${ulid()}` });
    await expect(orphan.flush()).rejects.toThrow(ForeignKeyConstraintViolationException);
  });
});
