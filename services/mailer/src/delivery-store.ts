import type { MikroORM } from "@mikro-orm/postgresql";
import { inTransaction, queryPrepared, statement } from "@postprocess/db";

/** A job's email as `email_deliveries` remembers it. */
export interface Delivery {
  processingId: string;
  accountId: string;
  recipient: string;
  messageId: string;
}

/** What the mailer keeps in PostgreSQL: its own `email_deliveries`, and a read of the job's recipient. */
export interface DeliveryStore {
  /** The job's email once SMTP accepted it; undefined while none was sent. */
  sent(processingId: string): Promise<Delivery | undefined>;
  /** `conversation_processing.email_id` (the projector's row; empty or missing until it is projected). */
  recipientOf(processingId: string): Promise<string | undefined>;
  /**
   * Sends the job's email at most once: claims the job's row (counting the attempt), then, holding the row
   * locked, calls `send` unless another delivery marked it sent meanwhile, and marks it sent in the same
   * transaction. Returns the delivery that stands (this one, or the earlier one) and whether `send` ran.
   * If `send` throws, nothing is marked and the row stays `sending` for the retry.
   */
  sendOnce(delivery: Delivery, send: () => Promise<void>): Promise<{ delivery: Delivery; sentNow: boolean }>;
}

type Row = {
  processing_id: string;
  account_id: string;
  recipient: string;
  message_id: string;
  status: string;
};

const toDelivery = (r: Row): Delivery => ({
  processingId: r.processing_id,
  accountId: r.account_id,
  recipient: r.recipient,
  messageId: r.message_id,
});

// Prepared once per connection: every job's email runs them. Columns are named, never `*`: a prepared
// `SELECT *` fails ("cached plan must not change result type") once a migration adds a column.
const deliveryColumns = "processing_id, account_id, recipient, message_id, status";
const sentSql = statement(
  `SELECT ${deliveryColumns} FROM email_deliveries WHERE processing_id = ? AND status = 'sent'`,
);
const recipientSql = statement("SELECT email_id FROM conversation_processing WHERE processing_id = ?");
const claimSql = statement(`INSERT INTO email_deliveries (processing_id, account_id, recipient, message_id)
   VALUES (?, ?, ?, ?)
   ON CONFLICT (processing_id) DO UPDATE
     SET attempts = email_deliveries.attempts + 1, recipient = EXCLUDED.recipient
     WHERE email_deliveries.status = 'sending'
   RETURNING status`);
const deliverySql = statement(`SELECT ${deliveryColumns} FROM email_deliveries WHERE processing_id = ?`);
const markSentSql = statement(
  "UPDATE email_deliveries SET status = 'sent', sent_at = now() WHERE processing_id = ?",
);

export function createDeliveryStore(orm: MikroORM): DeliveryStore {
  return {
    async sent(processingId) {
      const [row] = await queryPrepared<Row>(orm, sentSql, [processingId]);
      return row && toDelivery(row);
    },

    async recipientOf(processingId) {
      const [row] = await queryPrepared<{ email_id: string }>(orm, recipientSql, [processingId]);
      return row?.email_id || undefined;
    },

    async sendOnce(d, send) {
      const params = [d.processingId, d.accountId, d.recipient, d.messageId];
      try {
        return await inTransaction(orm, async (q) => {
          // The claim inserts the row or counts another attempt, and holds the row locked until the end:
          // a concurrent delivery of the job (a rebalance can hand the event to a second member while the
          // first still runs) waits here, then claims nothing — the row is no longer `sending` — and finds
          // it sent. One statement, where a separate claim, a commit and a SELECT … FOR UPDATE were three.
          const [claimed] = await q<{ status: string }>(claimSql, params);
          if (!claimed) {
            const [row] = await q<Row>(deliverySql, [d.processingId]);
            return { delivery: toDelivery(row!), sentNow: false };
          }
          await send();
          await q(markSentSql, [d.processingId]);
          return { delivery: d, sentNow: true };
        });
      } catch (err) {
        // The send (or the database) failed: the rollback took the attempt's count with it; counted on its
        // own, best effort (the error that matters is the send's).
        await queryPrepared(orm, claimSql, params).catch(() => {});
        throw err;
      }
    },
  };
}
