import { Migration } from "@mikro-orm/migrations";

/**
 * What the internet-facing gateway needs (issue 6): API keys, rate limits, the ElevenLabs integration and
 * its webhooks, completion callbacks, and the settings each job ran with.
 *
 * Ownership: the projector still owns the job tables (it writes `conversation_processing.settings` from the
 * event). The gateway owns `api_keys`, `api_rate_limits`, `api_usage_metrics`, the account columns added
 * here, `elevenlabs_integrations`, `elevenlabs_webhook_receipts` and `callback_endpoints`; the callbacks
 * service owns `callback_deliveries` and `callback_delivery_attempts` (the gateway only reads them).
 *
 * Secrets that must be used again (webhook signing secrets, the ElevenLabs API key of the reconciliation
 * sweep, callback signing secrets) cannot be hashed: they are stored sealed (AES-256-GCM under the
 * deployment's SECRETS_KEY, `v1.<iv>.<tag>.<ciphertext>`), so a database dump alone does not reveal them.
 * API keys are only ever compared, so only their SHA-256 is stored (they carry ≥ 128 random bits, so a
 * fast hash is enough: there is nothing to brute-force).
 */
export class Migration20261126000004 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE TABLE api_keys (
        id VARCHAR(40) PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL,
        name VARCHAR(100) NOT NULL,
        environment VARCHAR(4) NOT NULL,
        -- The first characters of the key (\`pp_live_AbC1\`), shown in listings so a person can tell keys apart.
        key_prefix VARCHAR(24) NOT NULL,
        key_hash CHAR(64) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        last_used_at TIMESTAMPTZ,
        revoked_at TIMESTAMPTZ,
        CONSTRAINT fk_api_keys_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
        CONSTRAINT valid_api_key_id CHECK (id ~ '^key_[0-9A-HJKMNP-TV-Z]{26}$'),
        CONSTRAINT valid_api_key_environment CHECK (environment IN ('live', 'test')),
        CONSTRAINT valid_api_key_hash CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT uq_api_keys_key_hash UNIQUE (key_hash)
      );`);
    this.addSql("CREATE INDEX idx_api_keys_account_id ON api_keys(account_id);");

    // Per-account request rate (GCRA: a sustained rate and a burst), configurable by the admin path.
    this.addSql(`
      ALTER TABLE accounts
        ADD COLUMN rate_limit_per_minute INTEGER NOT NULL DEFAULT 600,
        ADD COLUMN rate_limit_burst INTEGER NOT NULL DEFAULT 60,
        ADD CONSTRAINT valid_rate_limit_per_minute CHECK (rate_limit_per_minute BETWEEN 1 AND 1000000),
        ADD CONSTRAINT valid_rate_limit_burst CHECK (rate_limit_burst BETWEEN 1 AND 100000);`);

    // GCRA state: one "theoretical arrival time" per key, shared by every gateway replica.
    this.addSql(`
      CREATE TABLE api_rate_limits (
        api_key_id VARCHAR(40) PRIMARY KEY,
        tat TIMESTAMPTZ NOT NULL,
        CONSTRAINT fk_api_rate_limits_key FOREIGN KEY (api_key_id) REFERENCES api_keys(id) ON DELETE CASCADE
      );`);

    // The settings a job ran with, snapshotted when the gateway accepted it (NULL for outside publishers
    // that sent none: those jobs run with the account's settings as they are when each step starts).
    this.addSql("ALTER TABLE conversation_processing ADD COLUMN settings JSONB;");

    this.addSql(`
      CREATE TABLE elevenlabs_integrations (
        account_id VARCHAR(64) PRIMARY KEY,
        -- Sealed. Two during a rotation: a webhook signed with either is accepted.
        webhook_secret TEXT,
        webhook_secret_previous TEXT,
        -- Sealed. Used by the reconciliation sweep to list the account's conversations.
        api_key TEXT,
        -- Only this agent's conversations are reconciled (NULL: all of the key's).
        agent_id VARCHAR(255),
        -- Who receives the report of a conversation that arrives by webhook or by reconciliation.
        recipient_email VARCHAR(255) NOT NULL,
        reconcile_enabled BOOLEAN NOT NULL DEFAULT false,
        -- Conversations that started before this instant have been reconciled.
        reconciled_until TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_elevenlabs_integrations_account FOREIGN KEY (account_id)
          REFERENCES accounts(id) ON DELETE CASCADE
      );`);

    // One row per (account, webhook type, conversation): a replayed webhook finds its row and does nothing.
    this.addSql(`
      CREATE TABLE elevenlabs_webhook_receipts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL,
        webhook_type VARCHAR(40) NOT NULL,
        conversation_id VARCHAR(255) NOT NULL,
        agent_id VARCHAR(255),
        event_timestamp TIMESTAMPTZ,
        -- The job a transcription started (NULL for audio and initiation failures).
        processing_id VARCHAR(40),
        -- call_initiation_failure: busy / no-answer / unknown, and the SIP or Twilio details.
        failure_reason VARCHAR(50),
        details JSONB,
        received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_elevenlabs_webhook_receipts_account FOREIGN KEY (account_id)
          REFERENCES accounts(id) ON DELETE CASCADE,
        CONSTRAINT valid_webhook_type CHECK (webhook_type IN ('post_call_transcription', 'post_call_audio',
          'call_initiation_failure')),
        CONSTRAINT uq_elevenlabs_webhook_receipts UNIQUE (account_id, webhook_type, conversation_id)
      );`);

    this.addSql(`
      CREATE TABLE callback_endpoints (
        account_id VARCHAR(64) PRIMARY KEY,
        url TEXT NOT NULL,
        -- Sealed \`whsec_…\` Standard Webhooks secret.
        secret TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT true,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_callback_endpoints_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
        CONSTRAINT valid_callback_url CHECK (url ~ '^https?://')
      );`);

    // One delivery per job and outcome: a redelivered status event finds its row and enqueues nothing.
    this.addSql(`
      CREATE TABLE callback_deliveries (
        id VARCHAR(40) PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL,
        processing_id VARCHAR(40) NOT NULL,
        event_type VARCHAR(40) NOT NULL,
        url TEXT NOT NULL,
        payload JSONB NOT NULL,
        status VARCHAR(16) NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TIMESTAMPTZ,
        last_attempt_at TIMESTAMPTZ,
        last_status_code INTEGER,
        last_error TEXT,
        delivered_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_callback_deliveries_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
        CONSTRAINT valid_callback_delivery_id CHECK (id ~ '^msg_[0-9A-HJKMNP-TV-Z]{26}$'),
        CONSTRAINT valid_callback_event_type CHECK (event_type IN ('job.completed', 'job.failed')),
        CONSTRAINT valid_callback_delivery_status CHECK (status IN ('pending', 'succeeded', 'failed')),
        CONSTRAINT valid_callback_delivery_attempts CHECK (attempts >= 0),
        -- A pending delivery has a next attempt; a finished one has none.
        CONSTRAINT valid_callback_next_attempt CHECK ((status = 'pending') = (next_attempt_at IS NOT NULL)),
        CONSTRAINT uq_callback_deliveries_job_event UNIQUE (processing_id, event_type)
      );`);
    this.addSql(
      "CREATE INDEX idx_callback_deliveries_due ON callback_deliveries(next_attempt_at) WHERE status = 'pending';",
    );
    this.addSql(
      "CREATE INDEX idx_callback_deliveries_account ON callback_deliveries(account_id, created_at DESC);",
    );
    this.addSql(`
      CREATE TABLE callback_delivery_attempts (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        delivery_id VARCHAR(40) NOT NULL,
        attempt INTEGER NOT NULL,
        attempted_at TIMESTAMPTZ NOT NULL,
        duration_ms INTEGER NOT NULL,
        status_code INTEGER,
        error TEXT,
        CONSTRAINT fk_callback_delivery_attempts_delivery FOREIGN KEY (delivery_id)
          REFERENCES callback_deliveries(id) ON DELETE CASCADE,
        CONSTRAINT uq_callback_delivery_attempts UNIQUE (delivery_id, attempt)
      );`);

    for (const table of ["elevenlabs_integrations", "callback_endpoints"]) {
      this.addSql(
        `CREATE TRIGGER trg_${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW
         WHEN (current_setting('postprocess.event_time_updated_at', true) IS DISTINCT FROM 'on')
         EXECUTE FUNCTION pp_set_updated_at();`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS callback_delivery_attempts, callback_deliveries, callback_endpoints,
      elevenlabs_webhook_receipts, elevenlabs_integrations, api_rate_limits, api_keys CASCADE;`);
    this.addSql("ALTER TABLE conversation_processing DROP COLUMN IF EXISTS settings;");
    this.addSql(`ALTER TABLE accounts DROP COLUMN IF EXISTS rate_limit_per_minute,
      DROP COLUMN IF EXISTS rate_limit_burst;`);
  }
}
