import { Migration } from "@mikro-orm/migrations";

/**
 * `email_deliveries`: the mailer's memory of the one email each job sends. Kafka delivers at least once,
 * so the mailer can see a job's `report-generated` twice (a redelivery after a crash or a rebalance, a
 * retried step); an email, unlike a row, cannot be taken back. The mailer claims the job's row before it
 * talks to SMTP and marks it `sent` after the server accepted the message; a second delivery that finds
 * `sent` sends nothing and only hands `email-sent` on again. The mailer is its only writer.
 *
 * - `processing_id` is the key: one email per job, whatever the redeliveries. No foreign key onto
 *   `conversation_processing`: the mailer must be able to record a delivery however far the projector is,
 *   and the row outlives nothing it depends on.
 * - `message_id` is the deterministic `Message-ID` (`<processing_id@postprocess>`): should the process die
 *   between the SMTP server's acceptance and the `sent` mark, the one resend carries the same id, so mail
 *   clients and the recipient can recognise the duplicate.
 * - `attempts` counts the sends begun (a redelivery of a row still `sending` is a retry), for operators.
 */
export class Migration20261126000003 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE email_deliveries (
        processing_id VARCHAR(40) PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL,
        recipient VARCHAR(255) NOT NULL,
        message_id VARCHAR(255) NOT NULL,
        status VARCHAR(16) NOT NULL DEFAULT 'sending',
        attempts INTEGER NOT NULL DEFAULT 1,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        sent_at TIMESTAMPTZ,
        -- The same shape as conversation_processing's (FIX 4).
        CONSTRAINT valid_email_delivery_processing_id CHECK (processing_id ~ '^proc_[0-9A-HJKMNP-TV-Z]{26}$'),
        CONSTRAINT valid_email_delivery_status CHECK (status IN ('sending', 'sent')),
        CONSTRAINT valid_email_delivery_attempts CHECK (attempts >= 1),
        -- A sent email has a time; one still sending has none.
        CONSTRAINT valid_email_delivery_sent_at CHECK ((status = 'sent') = (sent_at IS NOT NULL))
      );`);
  }

  override async down(): Promise<void> {
    this.addSql("DROP TABLE IF EXISTS email_deliveries;");
  }
}
