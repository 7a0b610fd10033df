import type { MikroORM } from "@mikro-orm/postgresql";
import type { EventOf } from "@postprocess/contracts";
import { queryPrepared, statement } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import { ulid } from "ulid";
import { buildCallbackPayload } from "./payload.ts";

/** What the status handler needs; the consumer's per-message context supplies `log`. */
export interface StatusDeps {
  orm: MikroORM;
  /** The gateway's public base URL, for the payload's status link. */
  publicBaseUrl: string;
  now: () => Date;
  log: Logger;
}

/** What became of one status record. */
export type EnqueueOutcome =
  | "enqueued"
  | "not-terminal"
  | "no-endpoint"
  | "before-endpoint"
  | "already-enqueued";

/** A delivery's id: `msg_` + ULID, also the `webhook-id` receivers de-duplicate on. */
export function newDeliveryId(now: Date): string {
  return `msg_${ulid(now.getTime())}`;
}

// Prepared: it runs for every terminal status of every job.
const enqueueSql = statement(
  `WITH endpoint AS (
         SELECT url, created_at <= ?::timestamptz AS eligible
           FROM callback_endpoints WHERE account_id = ? AND enabled
       ), inserted AS (
         INSERT INTO callback_deliveries
           (id, account_id, processing_id, event_type, url, payload, status, attempts, next_attempt_at, created_at)
         SELECT ?, ?, ?, ?, endpoint.url, ?::jsonb, 'pending', 0, ?, ?
           FROM endpoint
          WHERE endpoint.eligible
            AND NOT EXISTS (SELECT 1 FROM callback_deliveries d WHERE d.processing_id = ?)
         ON CONFLICT (processing_id, event_type) DO NOTHING
         RETURNING id
       )
       SELECT (SELECT eligible FROM endpoint) AS eligible, (SELECT id FROM inserted) AS id`,
);

/**
 * Enqueues the callback of a job that reached `completed` or `failed`, for an account with an enabled
 * endpoint. Idempotent: the unique (processing_id, event_type) makes a redelivered or duplicate record
 * enqueue nothing, and a job is called back about its first outcome only (a second delivery of any type
 * for the same job is refused), so a stale copy read after a newer one cannot add a contradicting call.
 * Only outcomes reached after the endpoint was registered are called back: the topic is compacted and read
 * from the beginning by a new group, so without this a first deployment (or a newly registered endpoint
 * meeting a consumer that lags) would call an account back about every job it ever ran. Everything else
 * (running statuses, cancelled, archived) is ignored.
 */
export async function handleProcessingStatus(
  event: EventOf<"processingStatus">,
  deps: StatusDeps,
): Promise<EnqueueOutcome> {
  const payload = buildCallbackPayload(event, deps.publicBaseUrl);
  if (!payload) return "not-terminal";
  const now = deps.now();
  // One statement: reading the endpoint and inserting cannot interleave with a DELETE of the endpoint.
  const [row] = await queryPrepared<{ eligible: boolean | null; id: string | null }>(deps.orm, enqueueSql, [
    payload.timestamp,
    event.account_id,
    newDeliveryId(now),
    event.account_id,
    event.processing_id,
    payload.type,
    JSON.stringify(payload),
    now,
    now,
    event.processing_id,
  ]);
  const outcome: EnqueueOutcome = row?.id
    ? "enqueued"
    : row?.eligible === true
      ? "already-enqueued"
      : row?.eligible === false
        ? "before-endpoint"
        : "no-endpoint";
  const fields = {
    processingId: event.processing_id,
    accountId: event.account_id,
    type: payload.type,
    outcome,
  };
  // Most accounts have no endpoint: that is routine, not news.
  if (outcome === "no-endpoint") deps.log.debug(fields, "no callback endpoint");
  else if (outcome === "before-endpoint") deps.log.debug(fields, "job finished before the endpoint existed");
  else
    deps.log.info(
      { ...fields, deliveryId: row?.id },
      outcome === "enqueued" ? "callback enqueued" : "callback already enqueued",
    );
  return outcome;
}
