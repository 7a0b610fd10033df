import { Migration } from "@mikro-orm/migrations";

/**
 * FIX 12 The projector loads each job it folds with its file tombstones (`processed_events` rows of topic
 * `retention.file-tombstone`, see services/projector/src/store.ts). `processed_events` is keyed by event id
 * only, so that lookup scanned the whole table once per job per batch: a cost that grew with every event
 * ever handled (14 rows per job), and was most of the load statement's time after a few thousand jobs.
 * Tombstones are rare, so a partial index holds only them and costs the hot insert path nothing.
 */
export class Migration20261126000009 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX idx_processed_events_tombstones ON processed_events (processing_id)
      WHERE topic = 'retention.file-tombstone';`);
  }

  override async down(): Promise<void> {
    this.addSql("DROP INDEX IF EXISTS idx_processed_events_tombstones;");
  }
}
