import type { MikroORM } from "@mikro-orm/postgresql";
import { derivedEventId, type EventOf, steps, terminalStatuses } from "@postprocess/contracts";
import type { Producer } from "@postprocess/kafka";
import { sqlOf } from "./sql.ts";

/** The seed's default `processing_timeout_minutes` for accounts without settings. */
export const defaultTimeoutMinutes = 10;

export interface TimeoutSweepDeps {
  orm: MikroORM;
  producer: Pick<Producer, "sendBatch">;
  now?: () => Date;
}

type Step = EventOf<"stepEvent">["step"];

/**
 * Fails every unfinished job older than its `processing_timeout_minutes` (the job's settings snapshot, else
 * the account's settings of now, else the default) by publishing a `failed`
 * step event with code TIMEOUT for its current step. The fold does the rest (terminal is sticky, so later
 * events of the job change nothing). The event id depends on the job only: replicas sweeping at once, or
 * the next sweep before the fold caught up, publish duplicates the projector ignores.
 */
export async function sweepTimeouts(deps: TimeoutSweepDeps): Promise<EventOf<"stepEvent">[]> {
  const now = (deps.now ?? (() => new Date()))();
  const rows = await sqlOf(deps.orm)(
    `SELECT cp.processing_id, cp.conversation_id, cp.account_id, cp.current_step,
       t.timeout_minutes
     FROM conversation_processing cp LEFT JOIN account_settings s ON s.account_id = cp.account_id
     CROSS JOIN LATERAL (SELECT COALESCE((cp.settings->>'processing_timeout_minutes')::int,
                                         s.processing_timeout_minutes, ?) AS timeout_minutes) t
     WHERE cp.status NOT IN (SELECT value FROM json_array_elements_text(?::json))
       AND cp.created_at < ?::timestamptz - make_interval(mins => t.timeout_minutes)
     ORDER BY cp.processing_id`,
    [defaultTimeoutMinutes, JSON.stringify(terminalStatuses), now.toISOString()],
  );
  const events = rows.map((r): EventOf<"stepEvent"> => {
    const processingId = r.processing_id as string;
    const step = (steps as readonly string[]).includes(r.current_step as string)
      ? (r.current_step as Step)
      : "extract";
    return {
      event_id: derivedEventId(processingId, "timeout"),
      occurred_at: now.toISOString(),
      processing_id: processingId,
      conversation_id: r.conversation_id as string,
      account_id: r.account_id as string,
      step,
      status: "failed",
      attempt: 1,
      duration_ms: null,
      error: { code: "TIMEOUT", message: `job exceeded its ${r.timeout_minutes}-minute limit` },
      warning: null,
    };
  });
  if (events.length) await deps.producer.sendBatch(events.map((event) => ({ topic: "stepEvent", event })));
  return events;
}
