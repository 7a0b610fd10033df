import type { MikroORM } from "@mikro-orm/postgresql";
import type { EventOf } from "@postprocess/contracts";
import { queryPrepared, statement } from "@postprocess/db";
import {
  defaultSettings,
  type JobSettings,
  type SettingsRow,
  settingsFromRow,
  settingsFromSnapshot,
  settingsToRow,
} from "./settings.ts";

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
// migration adds a column while this process runs. settingsToRow builds every column of SettingsRow (the
// compiler checks it), so its keys are the list.
const settingsColumns = Object.keys(settingsToRow(defaultSettings));
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
