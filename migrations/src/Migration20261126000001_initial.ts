import { Migration } from "@mikro-orm/migrations";

/**
 * The schema of the original design document (shared/seed/000_…txt), with its defects fixed on purpose.
 * Each fix is marked `FIX n` below; the README's "Database" section lists them too.
 *
 * FIX 1  `accounts` was referenced by four foreign keys but never defined: it is created first.
 * FIX 2  `conversation_files` had a foreign key onto `conversation_processing.conversation_id`, which is not
 *        unique (a conversation can be processed more than once), so PostgreSQL refuses it. Files now belong
 *        to a job through `processing_id` (unique); `conversation_id` stays for the seed's queries.
 * FIX 3  Retention sets `status = 'archived'`, which the seed's own CHECK forbade: `archived` is now legal.
 * FIX 4  `proc_<unix seconds>_<rand 1000-9999>` collides after ~100 jobs in one second (birthday bound):
 *        ids are `proc_` + a ULID (48-bit ms time + 80 random bits), unique and sortable by creation time.
 *        The database only checks the shape; ids are minted by the application.
 * FIX 5  `file_size` was INTEGER in the ORM model and BIGINT in SQL: BIGINT everywhere (recordings > 2 GiB).
 * FIX 6  `updated_at` was only set on insert: a trigger maintains it on every UPDATE — except in a
 *        transaction that sets `postprocess.event_time_updated_at = on`: the projector stamps rows with the
 *        time of the event that changed them, so replaying the stream reproduces the rows exactly.
 * FIX 7  TIMESTAMP without time zone is ambiguous across hosts: all instants are TIMESTAMPTZ.
 * FIX 8  SERIAL (int4) ids overflow on busy audit tables: BIGINT identity columns.
 * FIX 9  `progress` could be NULL and `summary_sentiment`'s CHECK let NULL through silently (fine: unknown
 *        until summarized); `progress` is now NOT NULL.
 * FIX 10 Idempotent event handling needs a durable record of handled event ids: `processed_events`, and a
 *        unique `event_id` on audit rows (one audit row per event, whatever the redeliveries).
 * FIX 11 `processing_audit_log.event_status` gains `skipped` (a step skipped by a setting is a warning,
 *        not a failure) and `cancelled`.
 */
export class Migration20261126000001 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      CREATE FUNCTION pp_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.updated_at := now();
        RETURN NEW;
      END $$;`);

    // FIX 1
    this.addSql(`
      CREATE TABLE accounts (
        id VARCHAR(64) PRIMARY KEY CONSTRAINT valid_account_id CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
        name VARCHAR(255) NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );`);

    this.addSql(`
      CREATE TABLE conversation_processing (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        processing_id VARCHAR(40) NOT NULL CONSTRAINT uq_conversation_processing_processing_id UNIQUE,
        conversation_id VARCHAR(255) NOT NULL,
        email_id VARCHAR(255) NOT NULL,
        account_id VARCHAR(64) NOT NULL,
        status VARCHAR(50) NOT NULL DEFAULT 'pending',
        progress INTEGER NOT NULL DEFAULT 0,
        current_step VARCHAR(100),
        error_message TEXT,
        error_code VARCHAR(64),
        processing_started_at TIMESTAMPTZ,
        processing_completed_at TIMESTAMPTZ,
        estimated_completion TIMESTAMPTZ,
        total_duration INTERVAL,
        minio_transcript_url TEXT,
        minio_audio_url TEXT,
        minio_report_url TEXT,
        openai_summary TEXT,
        summary_topic VARCHAR(255),
        summary_sentiment VARCHAR(50),
        summary_key_points JSONB,
        summary_action_items JSONB,
        -- Skipped steps and degradations (NO_AUDIO, REPORT_DISABLED…): warnings, not failures.
        warnings JSONB NOT NULL DEFAULT '[]',
        -- Number of events folded into this row; consumers of processing.status drop older copies by it.
        version BIGINT NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_conversation_processing_account FOREIGN KEY (account_id) REFERENCES accounts(id),
        -- FIX 4: the id's shape; ULIDs are Crockford base32, 26 characters.
        CONSTRAINT valid_processing_id CHECK (processing_id ~ '^proc_[0-9A-HJKMNP-TV-Z]{26}$'),
        -- FIX 3: 'archived' added.
        CONSTRAINT valid_status CHECK (status IN ('pending', 'extracting', 'storing', 'summarizing',
          'generating_report', 'sending_email', 'completed', 'failed', 'cancelled', 'archived')),
        CONSTRAINT valid_progress CHECK (progress >= 0 AND progress <= 100),
        CONSTRAINT valid_sentiment CHECK (summary_sentiment IN ('positive', 'negative', 'neutral', 'mixed'))
      );`);
    this.addSql(
      "CREATE INDEX idx_conversation_processing_conversation_id ON conversation_processing(conversation_id);",
    );
    this.addSql(
      "CREATE INDEX idx_conversation_processing_account_id ON conversation_processing(account_id);",
    );
    this.addSql("CREATE INDEX idx_conversation_processing_status ON conversation_processing(status);");
    this.addSql(
      "CREATE INDEX idx_conversation_processing_created_at ON conversation_processing(created_at);",
    );

    this.addSql(`
      CREATE TABLE conversation_files (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        processing_id VARCHAR(40) NOT NULL,
        conversation_id VARCHAR(255) NOT NULL,
        account_id VARCHAR(64) NOT NULL,
        file_type VARCHAR(50) NOT NULL,
        file_name VARCHAR(255) NOT NULL,
        file_size BIGINT,
        minio_path TEXT NOT NULL,
        minio_url TEXT,
        url_expires_at TIMESTAMPTZ,
        content_type VARCHAR(100),
        checksum VARCHAR(64),
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        -- FIX 2: onto the unique processing_id, not the non-unique conversation_id.
        CONSTRAINT fk_conversation_files_processing FOREIGN KEY (processing_id)
          REFERENCES conversation_processing(processing_id) ON DELETE CASCADE,
        CONSTRAINT fk_conversation_files_account FOREIGN KEY (account_id) REFERENCES accounts(id),
        CONSTRAINT valid_file_type CHECK (file_type IN ('transcript', 'audio', 'report', 'summary')),
        CONSTRAINT valid_file_size CHECK (file_size >= 0),
        CONSTRAINT valid_checksum CHECK (checksum ~ '^[0-9a-f]{64}$'),
        -- Object keys are deterministic per job, so a retried upload updates its row instead of adding one.
        CONSTRAINT uq_conversation_files_object UNIQUE (processing_id, minio_path)
      );`);
    this.addSql(
      "CREATE INDEX idx_conversation_files_conversation_id ON conversation_files(conversation_id);",
    );
    this.addSql("CREATE INDEX idx_conversation_files_account_id ON conversation_files(account_id);");
    this.addSql("CREATE INDEX idx_conversation_files_file_type ON conversation_files(file_type);");
    this.addSql("CREATE INDEX idx_conversation_files_created_at ON conversation_files(created_at);");

    this.addSql(`
      CREATE TABLE processing_audit_log (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        event_id VARCHAR(64) NOT NULL,
        processing_id VARCHAR(40) NOT NULL,
        conversation_id VARCHAR(255) NOT NULL,
        account_id VARCHAR(64) NOT NULL,
        event_type VARCHAR(100) NOT NULL,
        event_status VARCHAR(50) NOT NULL,
        step_name VARCHAR(100),
        step_duration INTERVAL,
        event_data JSONB,
        error_message TEXT,
        retry_count INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_processing_audit_log_processing FOREIGN KEY (processing_id)
          REFERENCES conversation_processing(processing_id) ON DELETE CASCADE,
        -- FIX 11
        CONSTRAINT valid_event_status CHECK (event_status IN ('started', 'completed', 'failed', 'retried',
          'skipped', 'cancelled')),
        CONSTRAINT valid_retry_count CHECK (retry_count >= 0),
        -- FIX 10: a redelivered event cannot add a second audit row.
        CONSTRAINT uq_processing_audit_log_event UNIQUE (event_id)
      );`);
    this.addSql(
      "CREATE INDEX idx_processing_audit_log_processing_id ON processing_audit_log(processing_id);",
    );
    this.addSql(
      "CREATE INDEX idx_processing_audit_log_conversation_id ON processing_audit_log(conversation_id);",
    );
    this.addSql("CREATE INDEX idx_processing_audit_log_event_type ON processing_audit_log(event_type);");
    this.addSql("CREATE INDEX idx_processing_audit_log_created_at ON processing_audit_log(created_at);");

    this.addSql(`
      CREATE TABLE account_settings (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL CONSTRAINT uq_account_settings_account UNIQUE,
        default_email_template TEXT,
        email_subject_template VARCHAR(255),
        email_from_name VARCHAR(255),
        email_from_address VARCHAR(255),
        max_file_size_mb INTEGER NOT NULL DEFAULT 10,
        processing_timeout_minutes INTEGER NOT NULL DEFAULT 10,
        enable_audio_storage BOOLEAN NOT NULL DEFAULT true,
        enable_transcript_storage BOOLEAN NOT NULL DEFAULT true,
        enable_report_generation BOOLEAN NOT NULL DEFAULT true,
        openai_model VARCHAR(100) NOT NULL DEFAULT 'gpt-4',
        openai_max_tokens INTEGER NOT NULL DEFAULT 1000,
        custom_system_prompt TEXT,
        minio_bucket_name VARCHAR(255),
        file_retention_days INTEGER NOT NULL DEFAULT 30,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_account_settings_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
        CONSTRAINT valid_max_file_size_mb CHECK (max_file_size_mb > 0 AND max_file_size_mb <= 100),
        CONSTRAINT valid_timeout CHECK (processing_timeout_minutes > 0 AND processing_timeout_minutes <= 60),
        CONSTRAINT valid_retention CHECK (file_retention_days > 0 AND file_retention_days <= 365),
        CONSTRAINT valid_max_tokens CHECK (openai_max_tokens > 0 AND openai_max_tokens <= 32000),
        -- S3 bucket naming rules (3-63 lowercase letters, digits, dots, hyphens).
        CONSTRAINT valid_bucket_name CHECK (minio_bucket_name ~ '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')
      );`);

    this.addSql(`
      CREATE TABLE api_usage_metrics (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        account_id VARCHAR(64) NOT NULL,
        api_key_hash VARCHAR(255) NOT NULL,
        endpoint VARCHAR(100) NOT NULL,
        request_count INTEGER NOT NULL DEFAULT 1,
        success_count INTEGER NOT NULL DEFAULT 0,
        error_count INTEGER NOT NULL DEFAULT 0,
        rate_limit_exceeded BOOLEAN NOT NULL DEFAULT false,
        rate_limit_reset_at TIMESTAMPTZ,
        window_start TIMESTAMPTZ NOT NULL,
        window_end TIMESTAMPTZ NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        CONSTRAINT fk_api_usage_metrics_account FOREIGN KEY (account_id) REFERENCES accounts(id) ON DELETE CASCADE,
        CONSTRAINT valid_counts CHECK (request_count >= 0 AND success_count >= 0 AND error_count >= 0),
        CONSTRAINT valid_window CHECK (window_end > window_start),
        -- One row per key, endpoint and window, so replicas add to it with an upsert.
        CONSTRAINT uq_api_usage_metrics_window UNIQUE (api_key_hash, endpoint, window_start)
      );`);
    this.addSql("CREATE INDEX idx_api_usage_metrics_account_id ON api_usage_metrics(account_id);");
    this.addSql("CREATE INDEX idx_api_usage_metrics_api_key_hash ON api_usage_metrics(api_key_hash);");
    this.addSql("CREATE INDEX idx_api_usage_metrics_window ON api_usage_metrics(window_start, window_end);");

    // FIX 10
    this.addSql(`
      CREATE TABLE processed_events (
        event_id VARCHAR(64) PRIMARY KEY,
        topic VARCHAR(255) NOT NULL,
        processing_id VARCHAR(40),
        processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
      );`);
    this.addSql("CREATE INDEX idx_processed_events_processed_at ON processed_events(processed_at);");

    // FIX 6
    for (const table of ["accounts", "conversation_processing", "conversation_files", "account_settings"]) {
      this.addSql(
        // The WHEN clause is evaluated without calling into PL/pgSQL: the projector's batched updates (which
        // set the setting) pay nothing for the trigger.
        `CREATE TRIGGER trg_${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW
         WHEN (current_setting('postprocess.event_time_updated_at', true) IS DISTINCT FROM 'on')
         EXECUTE FUNCTION pp_set_updated_at();`,
      );
    }
  }

  override async down(): Promise<void> {
    this.addSql(`DROP TABLE IF EXISTS processed_events, api_usage_metrics, account_settings, processing_audit_log,
      conversation_files, conversation_processing, accounts CASCADE;`);
    this.addSql("DROP FUNCTION IF EXISTS pp_set_updated_at();");
  }
}
