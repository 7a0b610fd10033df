/**
 * Projector write-path benchmark: folds N jobs' events (15 each, a full pipeline) into a fresh PostgreSQL
 * database, batched as the projector batches per Kafka batch, against a baseline of one transaction per
 * event measured in the same run. Prints events/s for both and the ratio; the target is >= 10k events/s
 * batched. Run: `pnpm --filter @postprocess/projector bench` (the stack must be up).
 */
import { processingIdFromEvent } from "@postprocess/db";
import { createDatabase, stackEnv } from "@postprocess/testkit/stack";
import type { ProjectorInput } from "../src/apply-event.ts";
import { jobStream } from "../src/fixtures.ts";
import { projectBatch } from "../src/store.ts";
import { projectorDatabase } from "../src/test-support.ts";

const jobs = Number(process.env.BENCH_JOBS ?? 2000);
const batchSize = Number(process.env.BENCH_BATCH ?? 500);
const baselineEvents = Number(process.env.BENCH_BASELINE_EVENTS ?? 1500);

function events(n: number, offset: number): ProjectorInput[] {
  const out: ProjectorInput[] = [];
  // Interleave jobs the way partitions deliver them: many jobs in flight, each in order.
  const streams = Array.from({ length: n }, (_, i) =>
    jobStream({
      processingId: processingIdFromEvent(`bench-${offset + i}`, Date.UTC(2026, 0, 1) + i),
    }).happyPath(),
  );
  for (let k = 0; k < 15; k++) for (const s of streams) out.push(s[k]!);
  return out;
}

async function run(label: string, input: ProjectorInput[], size: number): Promise<number> {
  const env = await stackEnv();
  const db = await createDatabase(env);
  const orm = await projectorDatabase(db.url);
  try {
    // Warm-up: connections, plans.
    await projectBatch(orm, events(5, 10_000_000));
    const t0 = performance.now();
    for (let i = 0; i < input.length; i += size) await projectBatch(orm, input.slice(i, i + size));
    const secs = (performance.now() - t0) / 1000;
    const rate = input.length / secs;
    console.log(
      `${label.padEnd(28)} ${input.length} events in ${secs.toFixed(2)} s = ${Math.round(rate)} events/s`,
    );
    return rate;
  } finally {
    await orm.close();
    await db.drop();
  }
}

const batched = await run(`batched (${batchSize}/transaction)`, events(jobs, 0), batchSize);
const single = await run("baseline (1/transaction)", events(Math.ceil(baselineEvents / 15), 0), 1);
console.log(
  `ratio batched/baseline: ${(batched / single).toFixed(1)}x; target >= 10000 events/s batched: ${batched >= 10_000 ? "met" : "NOT met"}`,
);
