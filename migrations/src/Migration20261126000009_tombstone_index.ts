import { Migration } from "@mikro-orm/migrations";

/**
 * FIX 12 The projector loads each job it folds with its file tombstones (`processed_events` rows of topic
 * `retention.file-tombstone`, see services/projector/src/store.ts). `processed_events` is keyed by event id
 * only, so that lookup scanned the whole table once per job per batch: a cost that grew with every event
 * ever handled (14 rows per job), and was most of the load statement's time after a few thousand jobs.
 * Tombstones are rare, so a partial index holds only them and costs the hot insert path nothing.
 *
 * Migrations run in one transaction, so this cannot be CONCURRENTLY: on a large `processed_events` the build
 * blocks the projector's writes while it runs. There, create it by hand first, without blocking, and this
 * migration finds it (IF NOT EXISTS):
 *   CREATE INDEX CONCURRENTLY idx_processed_events_tombstones ON processed_events (processing_id)
 *     WHERE topic = 'retention.file-tombstone';
 */
export class Migration20261126000009 extends Migration {
  override async up(): Promise<void> {
    this.addSql(`CREATE INDEX IF NOT EXISTS idx_processed_events_tombstones ON processed_events (processing_id)
      WHERE topic = 'retention.file-tombstone';`);
  }

  override async down(): Promise<void> {
    this.addSql("DROP INDEX IF EXISTS idx_processed_events_tombstones;");
  }
}
