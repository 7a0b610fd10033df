import { Migration } from "@mikro-orm/migrations";

/**
 * The missed-webhook reconciliation sweep's bookkeeping, beside its high-water mark (`reconciled_until`, in
 * migration 0004). Both live in the row rather than in a replica's memory, because the next run may be
 * another gateway replica's.
 */
export class Migration20261126000008 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      ALTER TABLE elevenlabs_integrations
        -- ElevenLabs answered 429 (Retry-After): no run lists this account's conversations before then.
        ADD COLUMN reconcile_not_before TIMESTAMPTZ,
        -- A run stopped before the end of its window (page bound, 429, outage); the list is newest first, so
        -- what is left started before this instant, and the next run lists from here down.
        ADD COLUMN reconcile_resume_before TIMESTAMPTZ;`);
  }

  override async down(): Promise<void> {
    this.addSql(`ALTER TABLE elevenlabs_integrations DROP COLUMN IF EXISTS reconcile_not_before,
      DROP COLUMN IF EXISTS reconcile_resume_before;`);
  }
}
