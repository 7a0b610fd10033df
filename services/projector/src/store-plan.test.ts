import type { MikroORM } from "@mikro-orm/postgresql";
import { test } from "@postprocess/testkit";
import { expect } from "vitest";
import { foldStatements } from "./store.ts";
import { projectorDatabase } from "./test-support.ts";

// A batch holds a handful of jobs, and the fold reads every row by key. Two things made it scan the job and
// file tables whole, a cost growing with every job ever projected: the planner took each JSON list for 100
// rows, and a prepared statement keeps the generic plan it made on its sixth run, which on a young database
// (a few rows, never analysed) is a scan. The plans read here are those generic plans, made as the fold
// makes them: in its transaction, after the gate (whose settings they depend on).
async function genericPlans(orm: MikroORM): Promise<Record<string, string>> {
  const plans: Record<string, string> = {};
  await orm.em.fork().transactional(async (em) => {
    const tx = em.getTransactionContext();
    const run = (sql: string) => em.getConnection().execute(sql, [], "all", tx);
    await run("SET LOCAL plan_cache_mode = force_generic_plan");
    const args = (text: string) => {
      const arity = Math.max(0, ...(text.match(/\$\d+/g) ?? []).map((p) => Number(p.slice(1))));
      return Array.from({ length: arity }, () => "'[]'").join(", ");
    };
    for (const [name, s] of Object.entries(foldStatements)) {
      await run(`PREPARE plan_${name} AS ${s.text}`);
      const rows = (await run(`EXPLAIN EXECUTE plan_${name}(${args(s.text)})`)) as { "QUERY PLAN": string }[];
      plans[name] = rows.map((r) => r["QUERY PLAN"]).join("\n");
      // The gate runs first in every fold: its settings hold for the statements after it.
      if (name === "gateSql") await run(`EXECUTE plan_${name}(${args(s.text)})`);
      await run(`DEALLOCATE plan_${name}`);
    }
  });
  return plans;
}

function expectKeyedAccess(plans: Record<string, string>) {
  for (const [name, plan] of Object.entries(plans)) {
    expect({ name, plan }).not.toMatchObject({ plan: expect.stringMatching(/Seq Scan on conversation_/) });
  }
  expect(plans.loadSql).toMatch(/Index (Only )?Scan using \S+ on conversation_processing/);
  expect(plans.writeSql).toMatch(/Index Scan using \S+ on conversation_processing/);
  expect(plans.writeSql).toMatch(/Index Scan using \S+ on conversation_files/);
}

test("the fold reaches job and file rows through their indexes, on a young database and a grown one", async ({
  databaseUrl,
}) => {
  const orm = await projectorDatabase(databaseUrl);
  const conn = orm.em.getConnection();
  try {
    // Young: empty tables, never analysed.
    expectKeyedAccess(await genericPlans(orm));

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
    // Grown: a few thousand rows, analysed.
    expectKeyedAccess(await genericPlans(orm));
  } finally {
    await orm.close();
  }
});
