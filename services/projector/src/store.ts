import type { MikroORM } from "@mikro-orm/postgresql";
import { inTransaction, type Query, statement } from "@postprocess/db";
import { type AuditRow, applyEvent, type ProjectorInput } from "./apply-event.ts";
import type { JobState } from "./job-state.ts";
import {
  auditToRecord,
  type FileRow,
  fileColumns,
  fileFromRow,
  filesToRecords,
  type JobRow,
  jobColumns,
  jobFromRow,
  jobToRecord,
} from "./rows.ts";

/** What one batch did. `jobs` is the current state of every job the batch touched, duplicates included. */
export interface BatchOutcome {
  applied: number;
  duplicates: number;
  /** Events that cannot be applied (e.g. an account that does not exist): for the dead-letter topic. */
  rejected: { input: ProjectorInput; reason: string }[];
  jobs: JobState[];
}

const list = (values: string[]) => JSON.stringify([...new Set(values)]);

/**
 * The rows of a JSON array parameter, for joining a batch to a table. The LIMIT limits nothing: it is there
 * for the planner, which takes any JSON list for 100 rows and so joined a batch (a handful of jobs) to
 * conversation_processing and conversation_files by scanning them whole; with the limit unknown it assumes
 * 10 and probes the indexes. `columns` is a record definition, or none for a list of keys (`value`).
 */
const batchRows = (param: string, columns?: string) =>
  `(SELECT * FROM ${columns ? `json_to_recordset(${param}::json) AS r(${columns})` : `json_array_elements_text(${param}::json)`}
    LIMIT (SELECT json_array_length(${param}::json)))`;

// The fold's statements, prepared once per connection (their texts are fixed; rows travel as JSON).
// The gate also turns sequential scans off for the rest of the transaction (SET LOCAL): every row the fold
// reads it reads by key, and a prepared statement keeps the generic plan it made on its sixth run. On a
// young database (tables of a few rows, not yet analysed) that plan was a scan, kept as the tables grew.
const gateSql = statement(
  `WITH cfg AS (SELECT set_config('postprocess.event_time_updated_at', 'on', true) AS v,
           set_config('enable_seqscan', 'off', true) AS keyed),
         acc AS (SELECT id FROM accounts WHERE id IN (SELECT value FROM ${batchRows("$1")} k)),
         ins AS (
           INSERT INTO processed_events (event_id, topic, processing_id)
           SELECT event_id, topic, processing_id FROM json_to_recordset($2::json)
             AS t(event_id text, topic text, processing_id text, account_id text)
           WHERE account_id IN (SELECT id FROM acc)
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id)
       SELECT (SELECT v || keyed FROM cfg) AS cfg,
         (SELECT coalesce(json_agg(id), '[]'::json) FROM acc) AS accounts,
         (SELECT coalesce(json_agg(event_id), '[]'::json) FROM ins) AS fresh`,
);
const lockSql = statement(
  `WITH locked AS (
           SELECT pg_advisory_xact_lock(hashtextextended(id, 0))
           FROM (SELECT DISTINCT value AS id FROM json_array_elements_text($1::json) ORDER BY 1) ids)
         INSERT INTO conversation_processing (processing_id, conversation_id, account_id, email_id, created_at, updated_at)
         SELECT DISTINCT ON (processing_id) processing_id, conversation_id, account_id, '', occurred_at::timestamptz, occurred_at::timestamptz
         FROM json_to_recordset($2::json) AS t(processing_id text, conversation_id text, account_id text, occurred_at text)
         WHERE (SELECT count(*) FROM locked) >= 0
         ON CONFLICT (processing_id) DO NOTHING`,
);

/**
 * Folds a batch of events into PostgreSQL in ONE transaction: processed-event markers, job rows, audit rows
 * and file rows commit together, so a crash leaves either all of a batch or none of it. Duplicates
 * (already in `processed_events`, or twice in the batch) change nothing.
 */
export async function projectBatch(orm: MikroORM, inputs: ProjectorInput[]): Promise<BatchOutcome> {
  // Five statements a batch (round trips were most of the projector's and PostgreSQL's CPU): gate, lock,
  // load, write, plus BEGIN/COMMIT. All four are prepared: their texts are fixed, the rows travel as JSON.
  return inTransaction(orm, async (sql: Query) => {
    // 1. The gate. Rows carry the time of the event that changed them, not the wall clock (FIX 6 in the
    // migration: the setting tells the trigger). Events of unknown accounts are refused; for the others the
    // marker insert is the idempotency gate: only ids it actually inserts are applied.
    const [gate] = (await sql(gateSql, [
      list(inputs.map((i) => i.event.account_id)),
      JSON.stringify(
        // Repeats inside the batch are fine: ON CONFLICT DO NOTHING also skips a key the same statement
        // inserted, and RETURNING names it once.
        inputs.map((c) => ({
          event_id: c.event.event_id,
          topic: c.topic,
          processing_id: c.event.processing_id,
          account_id: c.event.account_id,
        })),
      ),
    ])) as unknown as [{ accounts: string[]; fresh: string[] }];
    const accounts = new Set(gate.accounts);
    const fresh = new Set(gate.fresh);
    const rejected: BatchOutcome["rejected"] = [];
    const candidates: ProjectorInput[] = [];
    const seen = new Set<string>();
    for (const input of inputs) {
      if (!accounts.has(input.event.account_id)) {
        rejected.push({ input, reason: `unknown account "${input.event.account_id}"` });
      } else if (!seen.has(input.event.event_id)) {
        seen.add(input.event.event_id);
        candidates.push(input);
      }
    }
    const toApply = candidates.filter((c) => fresh.has(c.event.event_id));

    // 2. The locks. Two replicas may fold events of one job at once (conversation.ended and the step topics
    // are partitioned differently): a transaction-scoped advisory lock per job, taken in id order, serialises
    // them. Unlike SELECT … FOR UPDATE it writes nothing to the rows (no WAL, no dirtied pages). Under them,
    // jobs without a row get a placeholder row (ON CONFLICT: safe even if the lock order were broken); the
    // one-time filter makes the locks come first. The load must be a later statement: one statement reads
    // one snapshot, taken before its locks were granted.
    const touched = inputs.filter((i) => accounts.has(i.event.account_id)).map((i) => i.event.processing_id);
    if (touched.length) {
      await sql(lockSql, [list(touched), JSON.stringify(toApply.map((c) => c.event))]);
    }
    // 3. The load.
    const jobs = await loadJobs(sql, touched);

    const audits: AuditRow[] = [];
    const changed = new Set<string>();
    const fileCounts = new Map([...jobs].map(([id, j]) => [id, fileSignature(j)]));
    for (const input of toApply) {
      const id = input.event.processing_id;
      // Placeholders start at version 0 with no events folded: treat them as absent.
      const before = jobs.get(id);
      const { job, audit } = applyEvent(before && before.version > 0 ? before : undefined, input);
      jobs.set(id, job);
      changed.add(id);
      if (audit) audits.push(audit);
    }
    const changedJobs = [...changed].map((id) => jobs.get(id)!);
    // Files are written only for jobs whose file list changed: most events carry none.
    const filesChanged = changedJobs.filter((j) => fileSignature(j) !== fileCounts.get(j.processingId));
    // 4. The write.
    await writeJobs(sql, changedJobs, filesChanged, audits);
    return {
      applied: toApply.length,
      duplicates: candidates.length - toApply.length,
      rejected,
      jobs: [...jobs.values()],
    };
  });
}

/**
 * `processed_events.topic` of the tombstone of a file retention deleted. The table the projector owns
 * already keys its rows by job and outlives them, so it holds these markers without a migration; replaying
 * the `retention.files-deleted` events recreates them.
 */
const tombstoneTopic = "retention.file-tombstone";

const loadSql = statement(
  `SELECT ${jobColumns},
       (SELECT coalesce(json_agg(f ORDER BY f.minio_path), '[]'::json)
        FROM (SELECT ${fileColumns} FROM conversation_files WHERE processing_id = cp.processing_id) f) AS files,
       (SELECT coalesce(json_agg(pe.event_id ORDER BY pe.event_id), '[]'::json) FROM processed_events pe
        WHERE pe.topic = '${tombstoneTopic}' AND pe.processing_id = cp.processing_id) AS tombstones
     FROM conversation_processing cp
     WHERE processing_id IN (SELECT value FROM ${batchRows("$1")} k)
     ORDER BY processing_id`,
);

/** Current state of jobs with their files and file tombstones, in one statement. */
export async function loadJobs(sql: Query, ids: string[]): Promise<Map<string, JobState>> {
  const out = new Map<string, JobState>();
  if (!ids.length) return out;
  const rows = (await sql(loadSql, [list(ids)])) as unknown as (JobRow & {
    files: FileRow[];
    tombstones: string[];
  })[];
  for (const r of rows) {
    const job = jobFromRow(r, r.files.map(fileFromRow));
    if (r.tombstones.length) job.deletedFiles = r.tombstones;
    out.set(r.processing_id, job);
  }
  return out;
}

/** Identity of a job's file list: changes when a file is added or re-stored. */
function fileSignature(j: JobState): string {
  return j.files.map((f) => `${f.bucket}/${f.key}:${f.sha256}:${f.url}:${f.seenAt}`).join("|");
}

const writeSql = statement(
  `WITH jobs AS (
       UPDATE conversation_processing cp SET
         conversation_id = j.conversation_id, account_id = j.account_id, email_id = j.email_id, status = j.status,
         progress = j.progress, current_step = j.current_step, error_code = j.error_code,
         error_message = j.error_message, created_at = j.created_at::timestamptz,
         processing_started_at = j.started_at::timestamptz, processing_completed_at = j.completed_at::timestamptz,
         total_duration = make_interval(secs => j.total_duration_ms / 1000.0),
         minio_transcript_url = j.transcript_url, minio_audio_url = j.audio_url, minio_report_url = j.report_url,
         openai_summary = j.summary, summary_topic = j.topic, summary_sentiment = j.sentiment,
         summary_key_points = j.key_points, summary_action_items = j.action_items, warnings = j.warnings,
         settings = j.settings, version = j.version, updated_at = j.updated_at::timestamptz
       FROM ${batchRows(
         "$1",
         `processing_id text, conversation_id text, account_id text, email_id text, status text, progress int,
         current_step text, error_code text, error_message text, created_at text, started_at text,
         completed_at text, total_duration_ms bigint, transcript_url text, audio_url text, report_url text,
         summary text, topic text, sentiment text, key_points jsonb, action_items jsonb, warnings jsonb,
         settings jsonb, version bigint, updated_at text`,
       )} AS j
       WHERE cp.processing_id = j.processing_id
       RETURNING 1),
     -- Files retention removed (a filesDeleted event): their rows go, and their tombstones are kept.
     gone AS (
       DELETE FROM conversation_files cf
       USING ${batchRows("$2", "processing_id text, paths json")} AS j
       WHERE cf.processing_id = j.processing_id
         AND cf.minio_path NOT IN (SELECT value FROM json_array_elements_text(j.paths))
       RETURNING 1),
     tombstones AS (
       INSERT INTO processed_events (event_id, topic, processing_id)
       SELECT event_id, '${tombstoneTopic}', processing_id
       FROM json_to_recordset($3::json) AS t(event_id text, processing_id text)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING 1),
     files AS (
       INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, file_size,
         minio_path, minio_url, url_expires_at, content_type, checksum, created_at, updated_at)
       SELECT processing_id, conversation_id, account_id, file_type, file_name, file_size, minio_path, minio_url,
         url_expires_at::timestamptz, content_type, checksum, created_at::timestamptz, created_at::timestamptz
       FROM json_to_recordset($4::json) AS f(processing_id text, conversation_id text, account_id text,
         file_type text, file_name text, file_size bigint, minio_path text, minio_url text, url_expires_at text,
         content_type text, checksum text, created_at text)
       ON CONFLICT (processing_id, minio_path) DO UPDATE SET
         file_name = EXCLUDED.file_name, file_size = EXCLUDED.file_size, minio_url = EXCLUDED.minio_url,
         url_expires_at = EXCLUDED.url_expires_at, content_type = EXCLUDED.content_type,
         checksum = EXCLUDED.checksum, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.created_at
       WHERE (conversation_files.file_size, conversation_files.minio_url, conversation_files.checksum,
              conversation_files.created_at)
         IS DISTINCT FROM (EXCLUDED.file_size, EXCLUDED.minio_url, EXCLUDED.checksum, EXCLUDED.created_at)
       RETURNING 1),
     audit AS (
       INSERT INTO processing_audit_log (event_id, processing_id, conversation_id, account_id, event_type,
         event_status, step_name, step_duration, event_data, error_message, retry_count, created_at)
       SELECT event_id, processing_id, conversation_id, account_id, event_type, event_status, step_name,
         make_interval(secs => step_duration_ms / 1000.0), event_data, error_message, retry_count,
         created_at::timestamptz
       FROM json_to_recordset($5::json) AS a(event_id text, processing_id text, conversation_id text,
         account_id text, event_type text, event_status text, step_name text, step_duration_ms bigint,
         event_data jsonb, error_message text, retry_count int, created_at text)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING 1)
     SELECT (SELECT count(*) FROM jobs) AS jobs, (SELECT count(*) FROM audit) AS audit`,
);

/**
 * Job rows, file rows (removed ones deleted and tombstoned, new or re-stored ones upserted) and audit rows in
 * ONE statement: the data-modifying CTEs touch disjoint rows (a file path is either kept or deleted), so
 * their shared snapshot is no problem.
 */
async function writeJobs(
  sql: Query,
  jobs: JobState[],
  filesChanged: JobState[],
  audits: AuditRow[],
): Promise<void> {
  if (!jobs.length && !audits.length) return;
  await sql(writeSql, [
    JSON.stringify(jobs.map(jobToRecord)),
    JSON.stringify(
      filesChanged.map((j) => ({
        processing_id: j.processingId,
        paths: j.files.map((f) => `${f.bucket}/${f.key}`),
      })),
    ),
    JSON.stringify(
      jobs.flatMap((j) =>
        (j.deletedFiles ?? []).map((id) => ({ event_id: id, processing_id: j.processingId })),
      ),
    ),
    JSON.stringify(filesChanged.flatMap(filesToRecords)),
    JSON.stringify(audits.map(auditToRecord)),
  ]);
}

/** The fold's statements, for the test that reads their plans. */
export const foldStatements = { gateSql, lockSql, loadSql, writeSql };
