/**
 * End-to-end projector throughput: N jobs' events (15 each) are published to the real topics first, then
 * the projector (batch consumer → one transaction per chunk → processing.status) folds them all; the clock
 * runs from start until the group has committed every event. The baseline, in the same run, is the same
 * projector folding one event per transaction (maxBatchSize 1) over fewer events.
 *   BENCH_JOBS (default 2000), BENCH_BASELINE_JOBS (100), BENCH_BATCH (1000), BENCH_CONCURRENCY (3)
 * Run with the stack up: `pnpm --filter @postprocess/projector bench:kafka`.
 */
import { allTopics, registerSchemas } from "@postprocess/contracts";
import { processingIdFromEvent } from "@postprocess/db";
import { createCodec, createKafka, createProducer, ensureTopics, silentLogger } from "@postprocess/kafka";
import { createDatabase, stackEnv, uniqueName, waitFor } from "@postprocess/testkit/stack";
import type { ProjectorInput } from "../src/apply-event.ts";
import { jobStream } from "../src/fixtures.ts";
import { startProjector } from "../src/projector.ts";
import { projectorDatabase, projectorLag } from "../src/test-support.ts";

const env = await stackEnv();
const jobs = Number(process.env.BENCH_JOBS ?? 2000);
const baselineJobs = Number(process.env.BENCH_BASELINE_JOBS ?? 100);
const batch = Number(process.env.BENCH_BATCH ?? 1000);
const kafka = createKafka({
  brokers: env.KAFKA_BROKERS.split(","),
  clientId: uniqueName("bench"),
  logger: silentLogger,
});
const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });

async function run(label: string, nJobs: number, maxBatchSize: number): Promise<number> {
  const prefix = `${uniqueName("bench")}.`;
  const groupId = uniqueName("bench-proj");
  const admin = kafka.admin();
  await admin.connect();
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: allTopics,
    groups: [groupId],
  });
  const db = await createDatabase(env);
  const orm = await projectorDatabase(db.url);
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  try {
    await producer.connect();
    const events: ProjectorInput[] = [];
    for (let i = 0; i < nJobs; i++) {
      const pid = processingIdFromEvent(`${label}-${i}`, Date.UTC(2026, 0, 1) + i);
      events.push(...jobStream({ processingId: pid, t0: Date.UTC(2026, 0, 1) + i }).happyPath());
    }
    for (let i = 0; i < events.length; i += 2000) {
      await producer.sendBatch(
        events.slice(i, i + 2000).map((e) => ({ topic: e.topic, event: e.event }) as never),
      );
    }
    const t0 = performance.now();
    const projector = await startProjector({
      orm,
      kafka,
      codec,
      groupId,
      topicPrefix: prefix,
      maxBatchSize,
      // The service's default (PROJECTOR_CONCURRENCY): every partition's chunk joins the group commit.
      concurrency: Number(process.env.BENCH_CONCURRENCY ?? 64),
      logger: silentLogger,
    });
    await waitFor(
      `${label}: every event committed`,
      async () => (await projectorLag(admin, groupId, prefix)) === 0,
      {
        timeoutMs: 600_000,
        intervalMs: 100,
      },
    );
    const secs = (performance.now() - t0) / 1000;
    await projector.consumer.stop(5000);
    await projector.producer.disconnect();
    const rate = events.length / secs;
    console.log(
      `${label.padEnd(26)} ${events.length} events (${nJobs} jobs) in ${secs.toFixed(2)} s = ${Math.round(rate)} events/s`,
    );
    return rate;
  } finally {
    await producer.disconnect();
    await orm.close();
    await db.drop();
    await admin.deleteTopics({ topics: created }).catch(() => {});
    await admin.disconnect();
  }
}

const batched = await run(`batched (≤${batch}/tx)`, jobs, batch);
const single = await run("baseline (1 event/tx)", baselineJobs, 1);
console.log(
  `ratio batched/baseline: ${(batched / single).toFixed(1)}x; target >= 10000 events/s batched: ${batched >= 10_000 ? "met" : "NOT met"}`,
);
