import type { MikroORM } from "@mikro-orm/postgresql";
import type { EventOf } from "@postprocess/contracts";
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

export function createJobStore(orm: MikroORM): JobStore {
  return {
    async view(processingId, accountId, carried) {
      const conn = orm.em.fork().getConnection();
      const [job] = (await conn.execute(
        "SELECT status, created_at, settings FROM conversation_processing WHERE processing_id = ?",
        [processingId],
      )) as { status: JobView["status"]; created_at: Date | string; settings: SettingsRow | null }[];
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
  const [row] = (await orm.em
    .fork()
    .getConnection()
    .execute("SELECT * FROM account_settings WHERE account_id = ?", [accountId])) as SettingsRow[];
  return settingsFromRow(row);
}
