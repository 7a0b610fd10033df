import type { MikroORM } from "@mikro-orm/postgresql";

/** A pending delivery claimed for one attempt, with its account's endpoint as it is now. */
export interface ClaimedDelivery {
  id: string;
  accountId: string;
  processingId: string;
  /** Attempts made before this one. */
  attempts: number;
  createdAt: Date;
  /** The JSON body, the same bytes on every attempt. */
  body: string;
  /** The account's endpoint now (null when it was deleted): a changed URL or secret applies to pending deliveries. */
  endpoint: { url: string; sealedSecret: string; enabled: boolean } | null;
}

/** The outcome of one attempt, as the delivery loop decided it. */
export interface AttemptRecord {
  attemptedAt: Date;
  durationMs: number;
  url: string;
  statusCode: number | null;
  error: string | null;
  /** succeeded → `delivered_at`; pending → `nextAttemptAt`; failed → given up. */
  status: "succeeded" | "pending" | "failed";
  nextAttemptAt: Date | null;
}

/** The callbacks service's writes to `callback_deliveries` and `callback_delivery_attempts` (it owns them). */
export interface DeliveryStore {
  /**
   * Claims up to `limit` deliveries due at `now`: `FOR UPDATE SKIP LOCKED` keeps concurrent replicas'
   * claims disjoint, and moving `next_attempt_at` to `leaseUntil` hides them from other claims while this
   * replica posts (no transaction stays open across the HTTP call). A replica that dies mid-post leaves the
   * delivery to be claimed again once the lease ends.
   */
  claimDue(now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]>;
  /**
   * Records an attempt and the delivery's new state in one transaction. Returns false (and writes nothing)
   * when the delivery is no longer as claimed (`attempts` moved on): another replica recorded it.
   */
  recordAttempt(d: ClaimedDelivery, attempt: AttemptRecord): Promise<boolean>;
  /** Fails a delivery without a request (its endpoint was deleted or disabled). */
  abandon(d: ClaimedDelivery, reason: string): Promise<void>;
}

type ClaimRow = {
  id: string;
  account_id: string;
  processing_id: string;
  attempts: number;
  created_ms: number | string;
  body: string;
  endpoint_url: string | null;
  endpoint_secret: string | null;
  endpoint_enabled: boolean | null;
};

export function createDeliveryStore(orm: MikroORM): DeliveryStore {
  return {
    async claimDue(now, leaseUntil, limit) {
      const rows = (await orm.em
        .fork()
        .getConnection()
        .execute(
          `UPDATE callback_deliveries d
              SET next_attempt_at = ?
             FROM (SELECT c.id, e.url AS endpoint_url, e.secret AS endpoint_secret, e.enabled AS endpoint_enabled
                     FROM callback_deliveries c
                     LEFT JOIN callback_endpoints e ON e.account_id = c.account_id
                    WHERE c.status = 'pending' AND c.next_attempt_at <= ?
                    ORDER BY c.next_attempt_at
                    LIMIT ?
                      FOR UPDATE OF c SKIP LOCKED) due
            WHERE d.id = due.id
        RETURNING d.id, d.account_id, d.processing_id, d.attempts, d.payload::text AS body,
                  (extract(epoch FROM d.created_at) * 1000)::float8 AS created_ms,
                  due.endpoint_url, due.endpoint_secret, due.endpoint_enabled`,
          [leaseUntil, now, limit],
        )) as ClaimRow[];
      return rows.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        processingId: r.processing_id,
        attempts: r.attempts,
        createdAt: new Date(Math.round(Number(r.created_ms))),
        body: r.body,
        endpoint:
          r.endpoint_url === null || r.endpoint_secret === null
            ? null
            : { url: r.endpoint_url, sealedSecret: r.endpoint_secret, enabled: r.endpoint_enabled === true },
      }));
    },

    recordAttempt(d, a) {
      return orm.em.fork().transactional(async (em) => {
        const trx = em.getTransactionContext();
        const conn = em.getConnection();
        const updated = (await conn.execute(
          `UPDATE callback_deliveries
              SET attempts = attempts + 1, status = ?, next_attempt_at = ?, url = ?, last_attempt_at = ?,
                  last_status_code = ?, last_error = ?, delivered_at = ?
            WHERE id = ? AND status = 'pending' AND attempts = ?
        RETURNING attempts`,
          [
            a.status,
            a.status === "pending" ? a.nextAttemptAt : null,
            a.url,
            a.attemptedAt,
            a.statusCode,
            a.error,
            a.status === "succeeded" ? a.attemptedAt : null,
            d.id,
            d.attempts,
          ],
          "all",
          trx,
        )) as { attempts: number }[];
        const [row] = updated;
        if (!row) return false;
        await conn.execute(
          `INSERT INTO callback_delivery_attempts (delivery_id, attempt, attempted_at, duration_ms, status_code, error)
           VALUES (?, ?, ?, ?, ?, ?)`,
          [d.id, row.attempts, a.attemptedAt, a.durationMs, a.statusCode, a.error],
          "all",
          trx,
        );
        return true;
      });
    },

    async abandon(d, reason) {
      await orm.em
        .fork()
        .getConnection()
        .execute(
          `UPDATE callback_deliveries SET status = 'failed', next_attempt_at = NULL, last_error = ?
            WHERE id = ? AND status = 'pending' AND attempts = ?`,
          [reason, d.id, d.attempts],
        );
    },
  };
}
