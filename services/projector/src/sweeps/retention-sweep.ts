import type { MikroORM } from "@mikro-orm/postgresql";
import { derivedEventId, type EventOf } from "@postprocess/contracts";
import type { Producer } from "@postprocess/kafka";
import { iso, sqlOf } from "./sql.ts";

/** Retention periods. File retention is per account (`file_retention_days`); this is its seed default. */
export interface RetentionPolicy {
  auditRetentionDays: number;
  defaultFileRetentionDays: number;
  archiveAfterDays: number;
}

export const defaultRetentionPolicy: RetentionPolicy = {
  auditRetentionDays: 90,
  defaultFileRetentionDays: 30,
  archiveAfterDays: 365,
};

export interface RetentionSweepDeps {
  orm: MikroORM;
  /** Not needed for a dry run. */
  producer?: Pick<Producer, "sendBatch">;
  policy?: Partial<RetentionPolicy>;
  now?: () => Date;
  /** List what would go; change and publish nothing. */
  dryRun?: boolean;
}

/** What a sweep removed (or, dry, would remove). */
export interface RetentionPlan {
  dryRun: boolean;
  /** Audit rows older than the audit period: deleted directly (see the README on replay). */
  auditRows: number;
  /** One event per job whose files are past its account's retention: storage deletes the objects. */
  filesExpired: EventOf<"filesExpired">[];
  /** Completed jobs past the archive period. */
  archived: EventOf<"jobArchived">[];
}

const days = (n: number) => n * 24 * 3600 * 1000;

/**
 * One retention pass. Files and archiving go through events (the projector folds `retention.files-deleted`
 * and `retention.job-archived`, so a replay reproduces the rows); ids are deterministic, so overlapping
 * sweeps or replicas publish duplicates the consumers ignore.
 */
export async function sweepRetention(deps: RetentionSweepDeps): Promise<RetentionPlan> {
  const policy = { ...defaultRetentionPolicy, ...deps.policy };
  const now = (deps.now ?? (() => new Date()))();
  const dryRun = deps.dryRun ?? false;
  const sql = sqlOf(deps.orm);
  const auditCutoff = new Date(now.getTime() - days(policy.auditRetentionDays)).toISOString();

  const [audit] = dryRun
    ? await sql("SELECT count(*)::int AS n FROM processing_audit_log WHERE created_at < ?::timestamptz", [
        auditCutoff,
      ])
    : await sql(
        `WITH gone AS (DELETE FROM processing_audit_log WHERE created_at < ?::timestamptz RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [auditCutoff],
      );

  const files = await sql(
    `SELECT cf.processing_id, cf.conversation_id, cf.account_id, cf.file_type, cf.minio_path
     FROM conversation_files cf LEFT JOIN account_settings s ON s.account_id = cf.account_id
     WHERE cf.created_at < ?::timestamptz - make_interval(days => COALESCE(s.file_retention_days, ?))
     ORDER BY cf.processing_id, cf.minio_path`,
    [now.toISOString(), policy.defaultFileRetentionDays],
  );
  const byJob = new Map<string, EventOf<"filesExpired">>();
  for (const f of files) {
    const id = f.processing_id as string;
    const path = f.minio_path as string;
    const slash = path.indexOf("/");
    const event = byJob.get(id) ?? {
      event_id: "",
      occurred_at: now.toISOString(),
      processing_id: id,
      conversation_id: f.conversation_id as string,
      account_id: f.account_id as string,
      files: [],
    };
    event.files.push({
      file_type: f.file_type as EventOf<"filesExpired">["files"][number]["file_type"],
      bucket: path.slice(0, slash),
      key: path.slice(slash + 1),
    });
    byJob.set(id, event);
  }
  const filesExpired = [...byJob.values()].map((e) => ({
    ...e,
    // Same files → same id: the next sweep, before storage and the fold caught up, is a duplicate.
    event_id: derivedEventId(e.processing_id, "files-expired", ...e.files.map((f) => `${f.bucket}/${f.key}`)),
  }));

  const done = await sql(
    `SELECT processing_id, conversation_id, account_id, ${iso("processing_completed_at")} AS completed_at
     FROM conversation_processing
     WHERE status = 'completed' AND processing_completed_at < ?::timestamptz
     ORDER BY processing_id`,
    [new Date(now.getTime() - days(policy.archiveAfterDays)).toISOString()],
  );
  const archived = done.map(
    (r): EventOf<"jobArchived"> => ({
      event_id: derivedEventId(r.processing_id as string, "archived"),
      occurred_at: now.toISOString(),
      processing_id: r.processing_id as string,
      conversation_id: r.conversation_id as string,
      account_id: r.account_id as string,
      completed_at: r.completed_at as string,
    }),
  );

  if (!dryRun && (filesExpired.length || archived.length)) {
    if (!deps.producer) throw new Error("a retention sweep that is not a dry run needs a producer");
    await deps.producer.sendBatch([
      ...filesExpired.map((event) => ({ topic: "filesExpired" as const, event })),
      ...archived.map((event) => ({ topic: "jobArchived" as const, event })),
    ]);
  }
  return { dryRun, auditRows: (audit?.n as number) ?? 0, filesExpired, archived };
}
