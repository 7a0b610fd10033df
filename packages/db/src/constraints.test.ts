import {
  CheckConstraintViolationException,
  ForeignKeyConstraintViolationException,
  UniqueConstraintViolationException,
} from "@mikro-orm/core";
import type { EntityManager } from "@mikro-orm/postgresql";
import { test } from "@postprocess/testkit";
import { expect } from "vitest";
import { createOrm, migrate } from "./orm.ts";
import { newProcessingId } from "./processing-id.ts";
import { auditEventStatuses, fileTypes, jobStatuses, sentiments } from "./status.ts";

// The migration's constraints, proved one bad row at a time on a freshly migrated database. Each rejection
// is matched on the constraint's name, so a row refused for the wrong reason fails the test.

type Row = Record<string, unknown>;
type Kind = "check" | "foreign key" | "unique";

interface Case {
  label: string;
  table: string;
  row: Row;
  kind: Kind;
  constraint: string;
}

const exceptionOf = {
  check: CheckConstraintViolationException,
  "foreign key": ForeignKeyConstraintViolationException,
  unique: UniqueConstraintViolationException,
} as const;

const JOB = newProcessingId();
const MISSING_JOB = newProcessingId();

async function insert(em: EntityManager, table: string, row: Row): Promise<void> {
  const columns = Object.keys(row);
  const placeholders = columns.map(() => "?").join(", ");
  await em.execute(
    `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${placeholders})`,
    Object.values(row),
  );
}

let eventSeq = 0;
// Valid rows; each case overrides the one column it breaks.
const account = (over: Row = {}): Row => ({ id: "acc_1", name: "Acme", ...over });
const job = (over: Row = {}): Row => ({
  processing_id: newProcessingId(),
  conversation_id: "conv_1",
  email_id: "mail_1",
  account_id: "acc_1",
  ...over,
});
const file = (over: Row = {}): Row => ({
  processing_id: JOB,
  conversation_id: "conv_1",
  account_id: "acc_1",
  file_type: "transcript",
  file_name: "transcript.json",
  minio_path: `acc_1/${JOB}/transcript-${++eventSeq}.json`,
  file_size: 1234,
  checksum: "a".repeat(64),
  ...over,
});
const audit = (over: Row = {}): Row => ({
  event_id: `evt_${++eventSeq}`,
  processing_id: JOB,
  conversation_id: "conv_1",
  account_id: "acc_1",
  event_type: "step.completed",
  event_status: "completed",
  ...over,
});
const settings = (over: Row = {}): Row => ({ account_id: "acc_2", ...over });
const submission = (over: Row = {}): Row => ({
  processing_id: newProcessingId(),
  account_id: "acc_1",
  conversation_id: "conv_1",
  email_id: "mail_1",
  idempotency_key: `key_${++eventSeq}`,
  request_hash: "b".repeat(64),
  ...over,
});
const usage = (over: Row = {}): Row => ({
  account_id: "acc_1",
  api_key_hash: `hash_${++eventSeq}`,
  endpoint: "/v1/conversations",
  window_start: "2026-11-26T10:00:00Z",
  window_end: "2026-11-26T10:01:00Z",
  ...over,
});

/** A migrated database with one valid row per table to collide with: acc_1 (with settings), acc_2, JOB. */
async function withSeededDatabase(databaseUrl: string, body: (em: EntityManager) => Promise<void>) {
  const orm = createOrm({ clientUrl: databaseUrl });
  try {
    await migrate(orm);
    const em = orm.em.fork();
    await insert(em, "accounts", account());
    await insert(em, "accounts", account({ id: "acc_2" }));
    await insert(em, "conversation_processing", job({ processing_id: JOB }));
    await insert(em, "conversation_files", file({ minio_path: "acc_1/seed.json" }));
    await insert(em, "processing_audit_log", audit({ event_id: "evt_seed" }));
    await insert(em, "account_settings", settings({ account_id: "acc_1" }));
    await insert(em, "api_usage_metrics", usage({ api_key_hash: "hash_seed" }));
    await insert(em, "gateway_submissions", submission({ processing_id: JOB, idempotency_key: "key_seed" }));
    await body(em);
  } finally {
    await orm.close();
  }
}

function messageOf(c: Case): RegExp {
  // Unique violations name no table; their constraint names are unique per schema anyway.
  const where = c.kind === "unique" ? "" : `"${c.table}" `;
  return new RegExp(`${where}violates ${c.kind} constraint "${c.constraint}"`);
}

async function expectRejected(em: EntityManager, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const error = await insert(em, c.table, c.row).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect.soft(error, `${c.label}: the insert should fail`).toBeInstanceOf(exceptionOf[c.kind]);
    expect.soft((error as Error | undefined)?.message ?? "", c.label).toMatch(messageOf(c));
  }
}

const check = (label: string, table: string, row: Row, constraint: string): Case => ({
  label,
  table,
  row,
  kind: "check",
  constraint,
});

test("accounts and conversation_processing reject bad rows", async ({ databaseUrl }) => {
  await withSeededDatabase(databaseUrl, (em) =>
    expectRejected(em, [
      check("account id with a space", "accounts", account({ id: "bad id" }), "valid_account_id"),
      check("status not in the list", "conversation_processing", job({ status: "bogus" }), "valid_status"),
      check("progress -1", "conversation_processing", job({ progress: -1 }), "valid_progress"),
      check("progress 101", "conversation_processing", job({ progress: 101 }), "valid_progress"),
      check(
        "sentiment 'angry'",
        "conversation_processing",
        job({ summary_sentiment: "angry" }),
        "valid_sentiment",
      ),
      check(
        "processing_id of the old seconds+random shape",
        "conversation_processing",
        job({ processing_id: "proc_1700000000_1234" }),
        "valid_processing_id",
      ),
      check(
        "processing_id in lowercase",
        "conversation_processing",
        job({ processing_id: newProcessingId().toLowerCase() }),
        "valid_processing_id",
      ),
      {
        label: "job of a missing account",
        table: "conversation_processing",
        row: job({ account_id: "acc_missing" }),
        kind: "foreign key",
        constraint: "fk_conversation_processing_account",
      },
      {
        label: "duplicate processing_id",
        table: "conversation_processing",
        row: job({ processing_id: JOB }),
        kind: "unique",
        constraint: "uq_conversation_processing_processing_id",
      },
    ]),
  );
});

test("conversation_files rejects bad rows", async ({ databaseUrl }) => {
  await withSeededDatabase(databaseUrl, (em) =>
    expectRejected(em, [
      check("file_type 'video'", "conversation_files", file({ file_type: "video" }), "valid_file_type"),
      check("file_size -1", "conversation_files", file({ file_size: -1 }), "valid_file_size"),
      check("checksum not hex", "conversation_files", file({ checksum: "z".repeat(64) }), "valid_checksum"),
      check("checksum too short", "conversation_files", file({ checksum: "a".repeat(63) }), "valid_checksum"),
      check(
        "checksum in uppercase",
        "conversation_files",
        file({ checksum: "A".repeat(64) }),
        "valid_checksum",
      ),
      {
        label: "file of a missing job",
        table: "conversation_files",
        row: file({ processing_id: MISSING_JOB }),
        kind: "foreign key",
        constraint: "fk_conversation_files_processing",
      },
      {
        label: "file of a missing account",
        table: "conversation_files",
        row: file({ account_id: "acc_missing" }),
        kind: "foreign key",
        constraint: "fk_conversation_files_account",
      },
      {
        label: "duplicate (processing_id, minio_path)",
        table: "conversation_files",
        row: file({ minio_path: "acc_1/seed.json" }),
        kind: "unique",
        constraint: "uq_conversation_files_object",
      },
    ]),
  );
});

test("processing_audit_log rejects bad rows", async ({ databaseUrl }) => {
  await withSeededDatabase(databaseUrl, (em) =>
    expectRejected(em, [
      check(
        "event_status 'bogus'",
        "processing_audit_log",
        audit({ event_status: "bogus" }),
        "valid_event_status",
      ),
      check("retry_count -1", "processing_audit_log", audit({ retry_count: -1 }), "valid_retry_count"),
      {
        label: "duplicate event_id",
        table: "processing_audit_log",
        row: audit({ event_id: "evt_seed" }),
        kind: "unique",
        constraint: "uq_processing_audit_log_event",
      },
      {
        label: "audit row of a missing job",
        table: "processing_audit_log",
        row: audit({ processing_id: MISSING_JOB }),
        kind: "foreign key",
        constraint: "fk_processing_audit_log_processing",
      },
    ]),
  );
});

test("account_settings rejects bad rows", async ({ databaseUrl }) => {
  const t = "account_settings";
  await withSeededDatabase(databaseUrl, (em) =>
    expectRejected(em, [
      // Same name as the files' size check; the relation in the message tells them apart.
      check("max_file_size_mb 0", t, settings({ max_file_size_mb: 0 }), "valid_max_file_size_mb"),
      check("max_file_size_mb 101", t, settings({ max_file_size_mb: 101 }), "valid_max_file_size_mb"),
      check("processing_timeout_minutes 0", t, settings({ processing_timeout_minutes: 0 }), "valid_timeout"),
      check(
        "processing_timeout_minutes 61",
        t,
        settings({ processing_timeout_minutes: 61 }),
        "valid_timeout",
      ),
      check("file_retention_days 0", t, settings({ file_retention_days: 0 }), "valid_retention"),
      check("file_retention_days 366", t, settings({ file_retention_days: 366 }), "valid_retention"),
      check("openai_max_tokens 0", t, settings({ openai_max_tokens: 0 }), "valid_max_tokens"),
      check("openai_max_tokens 32001", t, settings({ openai_max_tokens: 32_001 }), "valid_max_tokens"),
      check(
        "bucket name 'Bad_Bucket'",
        t,
        settings({ minio_bucket_name: "Bad_Bucket" }),
        "valid_bucket_name",
      ),
      check("bucket name of 2 characters", t, settings({ minio_bucket_name: "ab" }), "valid_bucket_name"),
      {
        label: "settings of a missing account",
        table: t,
        row: settings({ account_id: "acc_missing" }),
        kind: "foreign key",
        constraint: "fk_account_settings_account",
      },
      {
        label: "a second settings row for one account",
        table: t,
        row: settings({ account_id: "acc_1" }),
        kind: "unique",
        constraint: "uq_account_settings_account",
      },
    ]),
  );
});

test("api_usage_metrics rejects bad rows", async ({ databaseUrl }) => {
  const t = "api_usage_metrics";
  await withSeededDatabase(databaseUrl, (em) =>
    expectRejected(em, [
      check("request_count -1", t, usage({ request_count: -1 }), "valid_counts"),
      check("success_count -1", t, usage({ success_count: -1 }), "valid_counts"),
      check("error_count -1", t, usage({ error_count: -1 }), "valid_counts"),
      check("window_end = window_start", t, usage({ window_end: "2026-11-26T10:00:00Z" }), "valid_window"),
      check("window_end < window_start", t, usage({ window_end: "2026-11-26T09:59:59Z" }), "valid_window"),
      {
        label: "metrics of a missing account",
        table: t,
        row: usage({ account_id: "acc_missing" }),
        kind: "foreign key",
        constraint: "fk_api_usage_metrics_account",
      },
      {
        label: "a second row for one key, endpoint and window",
        table: t,
        row: usage({ api_key_hash: "hash_seed" }),
        kind: "unique",
        constraint: "uq_api_usage_metrics_window",
      },
    ]),
  );
});

test("gateway_submissions rejects bad rows", async ({ databaseUrl }) => {
  const t = "gateway_submissions";
  await withSeededDatabase(databaseUrl, (em) =>
    expectRejected(em, [
      check(
        "processing_id of the old shape",
        t,
        submission({ processing_id: "proc_1700000000_1234" }),
        "valid_submission_processing_id",
      ),
      check(
        "request_hash in uppercase",
        t,
        submission({ request_hash: "B".repeat(64) }),
        "valid_request_hash",
      ),
      // CHAR(64) pads a short value with spaces, which the pattern refuses.
      check("request_hash too short", t, submission({ request_hash: "b".repeat(10) }), "valid_request_hash"),
      {
        label: "submission of a missing account",
        table: t,
        row: submission({ account_id: "acc_missing" }),
        kind: "foreign key",
        constraint: "fk_gateway_submissions_account",
      },
      {
        label: "a reused idempotency key of one account",
        table: t,
        row: submission({ idempotency_key: "key_seed" }),
        kind: "unique",
        constraint: "uq_gateway_submissions_idempotency_key",
      },
      {
        label: "a second submission with one processing id",
        table: t,
        row: submission({ processing_id: JOB }),
        kind: "unique",
        constraint: "gateway_submissions_pkey",
      },
    ]),
  );
});

test("every value of the status lists is accepted (archived included), and so are the boundaries", async ({
  databaseUrl,
}) => {
  await withSeededDatabase(databaseUrl, async (em) => {
    // The accepting half of "status.ts agrees with the CHECKs"; the rejecting half is above.
    for (const status of jobStatuses) await insert(em, "conversation_processing", job({ status }));
    for (const summary_sentiment of sentiments) {
      await insert(em, "conversation_processing", job({ summary_sentiment }));
    }
    for (const file_type of fileTypes) await insert(em, "conversation_files", file({ file_type }));
    for (const event_status of auditEventStatuses)
      await insert(em, "processing_audit_log", audit({ event_status }));

    await insert(em, "conversation_processing", job({ progress: 0 }));
    await insert(em, "conversation_processing", job({ progress: 100 }));
    await insert(em, "conversation_files", file({ file_size: 0, checksum: null }));
    await insert(em, "conversation_files", file({ file_size: 5 * 2 ** 30 })); // > INT4 (FIX 5)
    await insert(
      em,
      "account_settings",
      settings({
        max_file_size_mb: 100,
        processing_timeout_minutes: 60,
        file_retention_days: 365,
        openai_max_tokens: 32_000,
        minio_bucket_name: "pp-acc.2-artifacts",
      }),
    );
    await insert(em, "api_usage_metrics", usage({ request_count: 0, success_count: 0, error_count: 0 }));
    // The key is unique per account and only when given.
    await insert(em, "gateway_submissions", submission({ account_id: "acc_2", idempotency_key: "key_seed" }));
    await insert(em, "gateway_submissions", submission({ idempotency_key: null }));
    await insert(em, "gateway_submissions", submission({ idempotency_key: null }));

    const [archived] = await em.execute<{ n: string }[]>(
      "SELECT count(*) AS n FROM conversation_processing WHERE status = 'archived'",
    );
    expect(Number(archived!.n)).toBe(1);
  });
});

test("the trigger stamps updated_at on every UPDATE, unless the transaction asks for event time", async ({
  databaseUrl,
}) => {
  await withSeededDatabase(databaseUrl, async (em) => {
    const eventTime = "2026-01-02T03:04:05.678Z";
    const tables: [table: string, key: string, value: string, change: string][] = [
      ["accounts", "id", "acc_1", "name = 'Acme 2'"],
      ["conversation_processing", "processing_id", JOB, "progress = 50"],
      ["conversation_files", "minio_path", "acc_1/seed.json", "file_size = 99"],
      ["account_settings", "account_id", "acc_1", "openai_max_tokens = 2000"],
    ];
    for (const [table, key, value, change] of tables) {
      const read = async (tx: EntityManager = em) => {
        const [row] = await tx.execute<{ created_at: string; updated_at: string }[]>(
          `SELECT created_at, updated_at FROM ${table} WHERE ${key} = ?`,
          [value],
        );
        return { createdAt: new Date(row!.created_at), updatedAt: new Date(row!.updated_at) };
      };
      const update = (tx: EntityManager) =>
        tx.execute(`UPDATE ${table} SET ${change}, updated_at = ? WHERE ${key} = ?`, [eventTime, value]);
      const original = await read();

      // An ordinary UPDATE cannot set updated_at: the trigger stamps now() over the written value.
      await update(em);
      const stamped = await read();
      expect(stamped.updatedAt.toISOString(), `${table}: stamped by the trigger`).not.toBe(eventTime);
      expect(stamped.updatedAt.getTime(), `${table}: stamped by the trigger`).toBeGreaterThanOrEqual(
        original.updatedAt.getTime(),
      );
      expect(stamped.createdAt, `${table}: created_at is left alone`).toEqual(original.createdAt);

      // With the setting on for its transaction, the writer's value (the event's time) is kept.
      await em.transactional(async (tx) => {
        await tx.execute("SELECT set_config('postprocess.event_time_updated_at', 'on', true)");
        await update(tx);
      });
      expect((await read()).updatedAt.toISOString(), `${table}: event time kept`).toBe(eventTime);

      // The setting was transaction-local: the next ordinary UPDATE is stamped again.
      await update(em);
      expect((await read()).updatedAt.toISOString(), `${table}: setting did not leak`).not.toBe(eventTime);
    }
  });
});
