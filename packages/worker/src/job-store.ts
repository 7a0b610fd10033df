import type { MikroORM } from "@mikro-orm/postgresql";
import type { EventOf } from "@postprocess/contracts";
import { queryPrepared, statement } from "@postprocess/db";
import { type JobSettings, type SettingsRow, settingsFromRow, settingsFromSnapshot } from "./settings.ts";

/** What a worker knows of a job before it runs a step: its status (if projected yet) and its settings. */
export interface JobView {
  /** Undefined while the projector has not written the job yet (the worker may be ahead of it). */
  status: EventOf<"processingStatus">["status"] | undefined;
  createdAt: Date | undefined;
  settings: JobSettings;
}

/** Read-only access to the projector's tables (workers never write them). */
export interface JobStore {
  /**
   * The job as projected. `settings`: the snapshot the step's input carried, which governs the job (the
   * account's live settings are then not read at all).
   */
  view(processingId: string, accountId: string, settings?: JobSettings): Promise<JobView>;
}

// Prepared: every step reads its job once or more (before the step, then between long sub-steps).
const jobSql = statement(
  "SELECT status, created_at, settings FROM conversation_processing WHERE processing_id = ?",
);
// Columns named, never `*`: a prepared `SELECT *` fails ("cached plan must not change result type") once a
// migration adds a column while this process runs. The compiler checks the list against SettingsRow.
const settingsColumns = Object.keys({
  default_email_template: true,
  email_subject_template: true,
  email_from_name: true,
  email_from_address: true,
  max_file_size_mb: true,
  processing_timeout_minutes: true,
  enable_audio_storage: true,
  enable_transcript_storage: true,
  enable_report_generation: true,
  openai_model: true,
  openai_max_tokens: true,
  custom_system_prompt: true,
  minio_bucket_name: true,
  file_retention_days: true,
} satisfies Record<keyof SettingsRow, true>);
const liveSettingsSql = statement(
  `SELECT ${settingsColumns.join(", ")} FROM account_settings WHERE account_id = ?`,
);

export function createJobStore(orm: MikroORM): JobStore {
  return {
    async view(processingId, accountId, carried) {
      const [job] = await queryPrepared<{
        status: JobView["status"];
        created_at: Date | string;
        settings: SettingsRow | null;
      }>(orm, jobSql, [processingId]);
      return {
        status: job?.status,
        createdAt: job ? new Date(job.created_at) : undefined,
        // The snapshot the job was accepted with governs it (as carried by the event, else as stored); the
        // live row only stands in for jobs that have none (an outside publisher sent none).
        settings:
          carried ??
          (job?.settings ? settingsFromSnapshot(job.settings) : await liveSettings(orm, accountId)),
      };
    },
  };
}

async function liveSettings(orm: MikroORM, accountId: string): Promise<JobSettings> {
  const [row] = await queryPrepared<SettingsRow>(orm, liveSettingsSql, [accountId]);
  return settingsFromRow(row);
}
