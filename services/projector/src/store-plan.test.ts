import { test } from "@postprocess/testkit";
import { expect } from "vitest";
import { foldStatements } from "./store.ts";
import { projectorDatabase } from "./test-support.ts";

// A batch holds a handful of jobs. The planner took every JSON list for 100 rows and joined it to the job
// and file tables by scanning them whole, a cost that grew with every job ever projected; the statements
// now tell it otherwise (see store.ts). Their generic plans, the ones prepared statements settle on, are
// read here on tables of a few thousand rows.
test("the fold reaches job and file rows through their indexes, not by scanning the tables", async ({
  databaseUrl,
}) => {
  const orm = await projectorDatabase(databaseUrl);
  const conn = orm.em.getConnection();
  try {
    await conn.execute(`INSERT INTO accounts (id, name) VALUES ('acc_plan', 'Plan') ON CONFLICT DO NOTHING`);
    await conn.execute(`
      INSERT INTO conversation_processing (processing_id, conversation_id, account_id, email_id, created_at, updated_at)
      SELECT 'proc_' || lpad(upper(to_hex(g)), 26, '0'), 'conv_' || g, 'acc_plan', 'a@b.test', now(), now()
        FROM generate_series(1, 3000) g`);
    await conn.execute(`
      INSERT INTO conversation_files (processing_id, conversation_id, account_id, file_type, file_name, file_size,
        minio_path, minio_url, content_type, checksum, created_at, updated_at)
      SELECT 'proc_' || lpad(upper(to_hex(g)), 26, '0'), 'conv_' || g, 'acc_plan', 'transcript', 'transcript.json',
        1, 'b/acc_plan/' || g || '/transcript.json', 'http://s3/x', 'application/json',
        encode(sha256(g::text::bytea), 'hex'), now(), now()
        FROM generate_series(1, 3000) g`);
    await conn.execute("ANALYZE conversation_processing, conversation_files, accounts, processed_events");

    const plans: Record<string, string> = {};
    await orm.em.fork().transactional(async (em) => {
      const tx = em.getTransactionContext();
      const run = (sql: string) => em.getConnection().execute(sql, [], "all", tx);
      await run("SET LOCAL plan_cache_mode = force_generic_plan");
      for (const [name, s] of Object.entries(foldStatements)) {
        const params = (s.text.match(/\$\d+/g) ?? []).map((p) => Number(p.slice(1)));
        const arity = Math.max(0, ...params);
        await run(`PREPARE plan_${name} AS ${s.text}`);
        const rows = (await run(
          `EXPLAIN EXECUTE plan_${name}(${Array.from({ length: arity }, () => "'[]'").join(", ")})`,
        )) as { "QUERY PLAN": string }[];
        plans[name] = rows.map((r) => r["QUERY PLAN"]).join("\n");
        await run(`DEALLOCATE plan_${name}`);
      }
    });
    for (const [name, plan] of Object.entries(plans)) {
      expect({ name, plan }).not.toMatchObject({
        plan: expect.stringMatching(/Seq Scan on conversation_processing/),
      });
      expect({ name, plan }).not.toMatchObject({
        plan: expect.stringMatching(/Seq Scan on conversation_files/),
      });
    }
    // The statements that join a batch to the tables do reach them, through the indexes.
    expect(plans.loadSql).toMatch(/Index (Only )?Scan using \S+ on conversation_processing/);
    expect(plans.writeSql).toMatch(/Index Scan using \S+ on conversation_processing/);
    expect(plans.writeSql).toMatch(/Index Scan using \S+ on conversation_files/);
  } finally {
    await orm.close();
  }
});
