import { Migration } from "@mikro-orm/migrations";

/**
 * `gateway_submissions`: the gateway's memory of what it accepted. The projector fills
 * `conversation_processing` from Kafka asynchronously, so right after a 202 the job row may not exist yet;
 * without this table the gateway could neither answer "pending" for a job it just accepted, nor recognise a
 * client's retry (`Idempotency-Key`), nor refuse a second job for a conversation submitted twice before the
 * projector caught up. The gateway is its only writer; the projector never reads it.
 *
 * - `request_hash` is sha256 (hex) of the canonical request body: the same key with another body is a
 *   client bug the gateway reports (409) instead of silently replaying the first answer.
 * - The partial unique index makes a key unique per account only when one was given.
 * - `(account_id, conversation_id, created_at)` serves the "is a recent submission of this conversation
 *   still unprojected?" check the gateway runs under an advisory lock on every submission.
 */
export class Migration20261126000002 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE gateway_submissions (
        processing_id VARCHAR(40) PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL,
        conversation_id VARCHAR(255) NOT NULL,
        email_id VARCHAR(255) NOT NULL,
        idempotency_key VARCHAR(255),
        request_hash CHAR(64) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_gateway_submissions_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
        -- The same shape as conversation_processing's (FIX 4): a submission becomes that job.
        CONSTRAINT valid_submission_processing_id CHECK (processing_id ~ '^proc_[0-9A-HJKMNP-TV-Z]{26}$'),
        CONSTRAINT valid_request_hash CHECK (request_hash ~ '^[0-9a-f]{64}$')
      );`);
    this.addSql(`
      CREATE UNIQUE INDEX uq_gateway_submissions_idempotency_key ON gateway_submissions(account_id, idempotency_key)
        WHERE idempotency_key IS NOT NULL;`);
    this.addSql(`
      CREATE INDEX idx_gateway_submissions_conversation
        ON gateway_submissions(account_id, conversation_id, created_at);`);
  }

  override async down(): Promise<void> {
    this.addSql("DROP TABLE IF EXISTS gateway_submissions;");
  }
}
