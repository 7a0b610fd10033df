import type { MikroORM } from "@mikro-orm/postgresql";

/**
 * Every projector-owned row, in a stable order and without surrogate ids, for comparing two databases
 * built from the same events (the replay check).
 */
export interface TablesSnapshot {
  conversation_processing: unknown[];
  conversation_files: unknown[];
  processing_audit_log: unknown[];
  processed_events: unknown[];
}

export async function snapshotTables(orm: MikroORM): Promise<TablesSnapshot> {
  const conn = orm.em.fork().getConnection();
  const q = (sql: string) => conn.execute(sql, [], "all");
  return {
    conversation_processing: await q(
      "SELECT to_jsonb(t) - 'id' AS row FROM conversation_processing t ORDER BY processing_id",
    ),
    conversation_files: await q(
      "SELECT to_jsonb(t) - 'id' AS row FROM conversation_files t ORDER BY processing_id, minio_path",
    ),
    processing_audit_log: await q(
      "SELECT to_jsonb(t) - 'id' AS row FROM processing_audit_log t ORDER BY event_id",
    ),
    processed_events: await q(
      "SELECT event_id, topic, processing_id FROM processed_events ORDER BY event_id",
    ),
  };
}
