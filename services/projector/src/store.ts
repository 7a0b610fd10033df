import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";
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

type Sql = (query: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

const list = (values: string[]) => JSON.stringify([...new Set(values)]);
const inList = "(SELECT value FROM json_array_elements_text(?::json))";

/**
 * Folds a batch of events into PostgreSQL in ONE transaction: processed-event markers, job rows, audit rows
 * and file rows commit together, so a crash leaves either all of a batch or none of it. Duplicates
 * (already in `processed_events`, or twice in the batch) change nothing.
 */
export async function projectBatch(orm: MikroORM, inputs: ProjectorInput[]): Promise<BatchOutcome> {
  const em = orm.em.fork();
  return em.transactional(async (tem: EntityManager) => {
    const conn = tem.getConnection();
    const trx = tem.getTransactionContext();
    const sql: Sql = (q, p = []) => conn.execute(q, p, "all", trx);
    // Rows carry the time of the event that changed them, not the wall clock (see FIX 6 in the migration).
    await sql("SET LOCAL postprocess.event_time_updated_at = 'on'");

    const accounts = new Set(
      (
        await sql(`SELECT id FROM accounts WHERE id IN ${inList}`, [
          list(inputs.map((i) => i.event.account_id)),
        ])
      ).map((r) => r.id as string),
    );
    const rejected: BatchOutcome["rejected"] = [];
    const unique = new Map<string, ProjectorInput>();
    for (const input of inputs) {
      if (!accounts.has(input.event.account_id)) {
        rejected.push({ input, reason: `unknown account "${input.event.account_id}"` });
      } else if (!unique.has(input.event.event_id)) {
        unique.set(input.event.event_id, input);
      }
    }
    const candidates = [...unique.values()];

    // The marker insert is the idempotency gate: only ids it actually inserts are applied.
    const fresh = new Set(
      candidates.length
        ? (
            await sql(
              `INSERT INTO processed_events (event_id, topic, processing_id)
               SELECT event_id, topic, processing_id FROM json_to_recordset(?::json)
                 AS t(event_id text, topic text, processing_id text)
               ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
              [
                JSON.stringify(
                  candidates.map((c) => ({
                    event_id: c.event.event_id,
                    topic: c.topic,
                    processing_id: c.event.processing_id,
                  })),
                ),
              ],
            )
          ).map((r) => r.event_id as string)
        : [],
    );
    const toApply = candidates.filter((c) => fresh.has(c.event.event_id));

    // Two replicas may fold events of one job at once (conversation.ended and the step topics are
    // partitioned differently): a transaction-scoped advisory lock per job, taken in id order, serialises
    // them. Unlike SELECT … FOR UPDATE it writes nothing to the rows (no WAL, no dirtied pages). Jobs
    // without a row then get a placeholder row (ON CONFLICT: safe even if the lock order were broken).
    const touched = inputs.filter((i) => accounts.has(i.event.account_id)).map((i) => i.event.processing_id);
    if (touched.length) {
      await sql(
        `SELECT pg_advisory_xact_lock(hashtextextended(id, 0))
         FROM (SELECT DISTINCT value AS id FROM json_array_elements_text(?::json) ORDER BY 1) ids`,
        [list(touched)],
      );
    }
    const jobs = await loadJobs(sql, touched);
    const missing = toApply.filter((c) => !jobs.has(c.event.processing_id));
    if (missing.length) {
      await sql(
        `INSERT INTO conversation_processing (processing_id, conversation_id, account_id, email_id, created_at, updated_at)
         SELECT DISTINCT ON (processing_id) processing_id, conversation_id, account_id, '', occurred_at::timestamptz, occurred_at::timestamptz
         FROM json_to_recordset(?::json) AS t(processing_id text, conversation_id text, account_id text, occurred_at text)
         ON CONFLICT (processing_id) DO NOTHING`,
        [JSON.stringify(missing.map((c) => c.event))],
      );
      for (const [id, job] of await loadJobs(
        sql,
        missing.map((c) => c.event.processing_id),
      ))
        jobs.set(id, job);
    }

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
    await writeJobs(sql, changedJobs, filesChanged, audits);
    return {
      applied: toApply.length,
      duplicates: candidates.length - toApply.length,
      rejected,
      jobs: [...jobs.values()],
    };
  });
}

/** Current state of jobs with their files. */
export async function loadJobs(sql: Sql, ids: string[]): Promise<Map<string, JobState>> {
  const out = new Map<string, JobState>();
  if (!ids.length) return out;
  const rows = (await sql(
    `SELECT ${jobColumns} FROM conversation_processing WHERE processing_id IN ${inList}
     ORDER BY processing_id`,
    [list(ids)],
  )) as unknown as JobRow[];
  const files = (await sql(
    `SELECT ${fileColumns} FROM conversation_files WHERE processing_id IN ${inList} ORDER BY minio_path`,
    [list(ids)],
  )) as unknown as FileRow[];
  const tombstones = await sql(
    `SELECT event_id, processing_id FROM processed_events
     WHERE topic = '${tombstoneTopic}' AND processing_id IN ${inList} ORDER BY event_id`,
    [list(ids)],
  );
  for (const r of rows) {
    const job = jobFromRow(r, files.filter((f) => f.processing_id === r.processing_id).map(fileFromRow));
    const dead = tombstones
      .filter((t) => t.processing_id === r.processing_id)
      .map((t) => t.event_id as string);
    if (dead.length) job.deletedFiles = dead;
    out.set(r.processing_id, job);
  }
  return out;
}

/**
 * `processed_events.topic` of the tombstone of a file retention deleted. The table the projector owns
 * already keys its rows by job and outlives them, so it holds these markers without a migration; replaying
 * the `retention.files-deleted` events recreates them.
 */
const tombstoneTopic = "retention.file-tombstone";

/** Identity of a job's file list: changes when a file is added or re-stored. */
function fileSignature(j: JobState): string {
  return j.files.map((f) => `${f.bucket}/${f.key}:${f.sha256}:${f.url}:${f.seenAt}`).join("|");
}

async function writeJobs(
  sql: Sql,
  jobs: JobState[],
  filesChanged: JobState[],
  audits: AuditRow[],
): Promise<void> {
  if (jobs.length) {
    await sql(
      `UPDATE conversation_processing cp SET
         conversation_id = j.conversation_id, account_id = j.account_id, email_id = j.email_id, status = j.status,
         progress = j.progress, current_step = j.current_step, error_code = j.error_code,
         error_message = j.error_message, created_at = j.created_at::timestamptz,
         processing_started_at = j.started_at::timestamptz, processing_completed_at = j.completed_at::timestamptz,
         total_duration = make_interval(secs => j.total_duration_ms / 1000.0),
         minio_transcript_url = j.transcript_url, minio_audio_url = j.audio_url, minio_report_url = j.report_url,
         openai_summary = j.summary, summary_topic = j.topic, summary_sentiment = j.sentiment,
         summary_key_points = j.key_points, summary_action_items = j.action_items, warnings = j.warnings,
         settings = j.settings, version = j.version, updated_at = j.updated_at::timestamptz
       FROM json_to_recordset(?::json) AS j(
         processing_id text, conversation_id text, account_id text, email_id text, status text, progress int,
         current_step text, error_code text, error_message text, created_at text, started_at text,
         completed_at text, total_duration_ms bigint, transcript_url text, audio_url text, report_url text,
         summary text, topic text, sentiment text, key_points jsonb, action_items jsonb, warnings jsonb,
         settings jsonb, version bigint, updated_at text)
       WHERE cp.processing_id = j.processing_id`,
      [JSON.stringify(jobs.map(jobToRecord))],
    );
    // Files retention removed (a `filesDeleted` event): their rows go, and their tombstones are kept.
    if (filesChanged.length) {
      await sql(
        `DELETE FROM conversation_files cf USING json_to_recordset(?::json) AS j(processing_id text, paths json)
         WHERE cf.processing_id = j.processing_id
           AND cf.minio_path NOT IN (SELECT value FROM json_array_elements_text(j.paths))`,
        [
          JSON.stringify(
            filesChanged.map((j) => ({
              processing_id: j.processingId,
              paths: j.files.map((f) => `${f.bucket}/${f.key}`),
            })),
          ),
        ],
      );
    }
    const tombstones = jobs.flatMap((j) =>
      (j.deletedFiles ?? []).map((id) => ({ event_id: id, processing_id: j.processingId })),
    );
    if (tombstones.length) {
      await sql(
        `INSERT INTO processed_events (event_id, topic, processing_id)
         SELECT event_id, '${tombstoneTopic}', processing_id
         FROM json_to_recordset(?::json) AS t(event_id text, processing_id text)
         ON CONFLICT (event_id) DO NOTHING`,
        [JSON.stringify(tombstones)],
      );
    }
    const files = filesChanged.flatMap(filesToRecords);
    if (files.length) {
      await sql(
        `INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, file_size,
           minio_path, minio_url, url_expires_at, content_type, checksum, created_at, updated_at)
         SELECT processing_id, conversation_id, account_id, file_type, file_name, file_size, minio_path, minio_url,
           url_expires_at::timestamptz, content_type, checksum, created_at::timestamptz, created_at::timestamptz
         FROM json_to_recordset(?::json) AS f(processing_id text, conversation_id text, account_id text,
           file_type text, file_name text, file_size bigint, minio_path text, minio_url text, url_expires_at text,
           content_type text, checksum text, created_at text)
         ON CONFLICT (processing_id, minio_path) DO UPDATE SET
           file_name = EXCLUDED.file_name, file_size = EXCLUDED.file_size, minio_url = EXCLUDED.minio_url,
           url_expires_at = EXCLUDED.url_expires_at, content_type = EXCLUDED.content_type,
           checksum = EXCLUDED.checksum, created_at = EXCLUDED.created_at, updated_at = EXCLUDED.created_at
         WHERE (conversation_files.file_size, conversation_files.minio_url, conversation_files.checksum,
                conversation_files.created_at)
           IS DISTINCT FROM (EXCLUDED.file_size, EXCLUDED.minio_url, EXCLUDED.checksum, EXCLUDED.created_at)`,
        [JSON.stringify(files)],
      );
    }
  }
  if (audits.length) {
    await sql(
      `INSERT INTO processing_audit_log (event_id, processing_id, conversation_id, account_id, event_type, event_status,
         step_name, step_duration, event_data, error_message, retry_count, created_at)
       SELECT event_id, processing_id, conversation_id, account_id, event_type, event_status, step_name,
         make_interval(secs => step_duration_ms / 1000.0), event_data, error_message, retry_count,
         created_at::timestamptz
       FROM json_to_recordset(?::json) AS a(event_id text, processing_id text, conversation_id text,
         account_id text, event_type text, event_status text, step_name text, step_duration_ms bigint,
         event_data jsonb, error_message text, retry_count int, created_at text)
       ON CONFLICT (event_id) DO NOTHING`,
      [JSON.stringify(audits.map(auditToRecord))],
    );
  }
}
