/**
 * Pipeline benchmark (issue 5, "End to end"): the same conversations through every service as its own
 * process on the real stack, and through the same handlers chained in this process with no Kafka.
 *
 *   node tests/e2e/bench/pipeline.ts          (from the repo root, with the local stack up)
 *   BENCH_JOBS=50 node tests/e2e/bench/pipeline.ts
 *
 * Env knobs: BENCH_JOBS (500) jobs per run, BENCH_CONCURRENCY (20,50) jobs in flight: each value is a
 * pipeline run and an in-process run, compared with each other, BENCH_WARMUP (20) unmeasured jobs before
 * each run, BENCH_AUDIO_BYTES (16384) size of each fake recording,
 * BENCH_JOB_TIMEOUT_MS (120000) how long one job may take before it counts as failed.
 *
 * It empties GreenMail before each measured run (GreenMail slows down badly past a few hundred stored
 * messages): run it alone, not while tests use the stack.
 *
 * Both runs are closed loops of BENCH_CONCURRENCY lanes: a lane submits a job, waits for its completion,
 * then submits the next, so both see the same load and their latencies compare. Pipeline latency: from the
 * gateway POST to reading the job's `completed` record on `processing.status` (published by the projector).
 * In-process latency: from calling the extractor's handler to the mailer's handler returning. Jobs/s: the
 * run's completed jobs ÷ (last completion − first submit). ElevenLabs is the instant fake; the summarizer
 * is the local one (no OpenAI key); S3, PostgreSQL, SMTP and Kafka are the real stack.
 */
import { allTopics, newEventId, registerSchemas } from "@postprocess/contracts";
import { newProcessingId } from "@postprocess/db";
import { printCpu, cpuSnapshot as snapshotAll } from "@postprocess/testkit/cpu";
import { realisticConversation, startFakeElevenLabs } from "@postprocess/testkit/fakes/elevenlabs";
import {
  createBucket,
  createDatabase,
  deleteTopicsWithPrefix,
  freshMailbox,
  kafkaClient,
  purgeAllMail,
  type RunningPipeline,
  s3Client,
  stackEnv,
  startPipeline,
  uniqueName,
} from "@postprocess/testkit/stack";
import pg from "pg";
import { type JobClock, printHops } from "./hops.ts";
import { createInProcessChain, type InProcessChain } from "./in-process.ts";
import { type Figures, figuresOf, formatFigures, type RunResult, runLanes } from "./stats.ts";
import { type StatusWatch, watchStatuses } from "./status-watch.ts";

/** CPU of every process; this one runs the in-process chain and reads the pipeline's statuses. */
const cpuSnapshot = () => snapshotAll({ self: "bench (in-process chain, status watch)" });

const knob = (name: string, fallback: number) => {
  const v = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(v) || v < 0) throw new Error(`${name} must be a non-negative number`);
  return v;
};
const jobs = knob("BENCH_JOBS", 500);
// Two loads by default, because the comparison depends on load: the single-threaded chain is saturated at
// 20 in flight already, while the pipeline's per-hop costs (a fetch, a produce, their wake-ups) are shared
// by more messages as its queues fill. Both pairs are printed; neither is picked.
const concurrencies = (process.env.BENCH_CONCURRENCY ?? "20,50").split(",").map((v) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new Error("BENCH_CONCURRENCY must be positive integers, comma-separated");
  return n;
});
const warmup = knob("BENCH_WARMUP", 20);
const audioBytes = knob("BENCH_AUDIO_BYTES", 16 * 1024);
const jobTimeoutMs = knob("BENCH_JOB_TIMEOUT_MS", 120_000);

const env = await stackEnv();
const account = "bench";
const apiKey = "bench-el-key";
const run = uniqueName("bench").toLowerCase();
const prefix = `${run}.`;
const recipient = freshMailbox();
const conversationId = (phase: string, i: number) => `${run}_${phase}_${i}`;

const s3 = s3Client(env);
const admin = kafkaClient(env).admin();
const elevenlabs = await startFakeElevenLabs({ apiKey });
for (const c of concurrencies)
  for (const phase of ["pw", "p", "iw", "i"]) {
    const count = phase.endsWith("w") ? warmup : jobs;
    for (let i = 0; i < count; i++)
      elevenlabs.add(realisticConversation({ conversation_id: conversationId(`${phase}${c}`, i) }), {
        audioBytes,
      });
  }
const db = await createDatabase(env);
const bucket = await createBucket(s3);
const sql = new pg.Client({ connectionString: db.url });
let pipeline: RunningPipeline | undefined;
let watch: StatusWatch | undefined;
let chain: InProcessChain | undefined;

try {
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  console.log(`starting the services (prefix ${prefix}, database ${db.name}, bucket ${bucket.bucket})…`);
  pipeline = await startPipeline(env, {
    databaseUrl: db.url,
    topicPrefix: prefix,
    extra: {
      ELEVENLABS_BASE_URL: elevenlabs.url,
      ELEVENLABS_API_KEY: apiKey,
      // Empty means unset: the summarizer runs its local model whatever the caller's environment holds.
      OPENAI_API_KEY: "",
      OPENAI_BASE_URL: "",
      S3_BUCKET: bucket.bucket,
    },
  });
  await sql.connect();
  const auth = { authorization: `Bearer ${await pipeline.createAccount(account, { name: "Benchmark" })}` };
  watch = await watchStatuses(env, prefix);
  const gateway = pipeline.gatewayUrl;
  const statuses = watch;

  const clocks = new Map<string, JobClock>();
  const submitAndWait = async (conversation: string, clocked: boolean) => {
    const submitted = Date.now();
    const res = await fetch(`${gateway}/api/v1/postprocess/conversation`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({
        conversation_id: conversation,
        email_id: recipient,
        source: { kind: "elevenlabs" },
      }),
    });
    if (res.status !== 202) throw new Error(`gateway answered ${res.status}`);
    const { processing_id } = (await res.json()) as { processing_id: string };
    await statuses.ended(processing_id, jobTimeoutMs);
    if (clocked) clocks.set(processing_id, { submitted, ended: Date.now() });
  };
  chain = await createInProcessChain({
    env,
    databaseUrl: db.url,
    bucket: bucket.bucket,
    elevenlabs: { url: elevenlabs.url, apiKey },
  });
  const inProcess = chain;
  const results: { concurrency: number; piped: Figures; direct: Figures }[] = [];
  for (const concurrency of concurrencies) {
    const pipelineRun = async (phase: string, count: number) =>
      runLanes(count, concurrency, (i) =>
        submitAndWait(conversationId(`${phase}${concurrency}`, i), phase === "p"),
      );
    console.log(`\npipeline: ${warmup} warm-up jobs, then ${jobs} measured, ${concurrency} in flight…`);
    report("warm-up", await pipelineRun("pw", warmup));
    await purgeAllMail(env);
    clocks.clear();
    const cpuBefore = cpuSnapshot();
    const piped = await pipelineRun("p", jobs);
    report("pipeline", piped);
    printCpu(cpuBefore, cpuSnapshot(), piped.lastEnd - piped.firstStart);
    await printHops(sql, clocks);

    const chainRun = (phase: string, count: number) =>
      runLanes(count, concurrency, (i) => {
        const now = Date.now();
        return inProcess.run({
          event_id: newEventId(now),
          occurred_at: new Date(now).toISOString(),
          account_id: account,
          conversation_id: conversationId(`${phase}${concurrency}`, i),
          processing_id: newProcessingId(now),
          email_id: recipient,
          source: { kind: "elevenlabs", agent_id: null, transcript: [], audio_url: null },
          labels: {},
          // As an outside publisher: every step reads the account's settings.
          settings: null,
        });
      });
    console.log(`in-process: ${warmup} warm-up jobs, then ${jobs} measured, ${concurrency} in flight…`);
    report("warm-up", await chainRun("iw", warmup));
    await purgeAllMail(env);
    const cpuBeforeChain = cpuSnapshot();
    const direct = await chainRun("i", jobs);
    report("in-process", direct);
    printCpu(cpuBeforeChain, cpuSnapshot(), direct.lastEnd - direct.firstStart);
    console.log(`in-process mean ms per step (warm-up included): ${JSON.stringify(inProcess.stepMeans())}`);
    results.push({ concurrency, piped: figuresOf(piped), direct: figuresOf(direct) });
  }

  const sent = await sql.query("SELECT count(*)::int AS n FROM email_deliveries WHERE status = 'sent'");
  console.log(`emails SMTP accepted (email_deliveries, all runs and warm-ups): ${sent.rows[0].n}`);
  for (const r of results) compare(r.concurrency, r.piped, r.direct);

  const codes = await pipeline.stop();
  pipeline = undefined;
  const unclean = Object.entries(codes).filter(([, code]) => code !== 0);
  if (unclean.length)
    console.log(`services that did not exit 0: ${JSON.stringify(Object.fromEntries(unclean))}`);
} catch (err) {
  if (pipeline) console.error(pipeline.outputs());
  process.exitCode = 1;
  throw err;
} finally {
  await watch?.stop().catch(() => {});
  await pipeline?.stop().catch(() => {});
  await chain?.close().catch(() => {});
  await sql.end().catch(() => {});
  await elevenlabs.close();
  await db.drop().catch((err: Error) => console.error(`database ${db.name} not dropped: ${err.message}`));
  await bucket
    .remove()
    .catch((err: Error) => console.error(`bucket ${bucket.bucket} not removed: ${err.message}`));
  await admin.connect();
  await deleteTopicsWithPrefix(admin, prefix);
  await admin.disconnect();
}

function report(name: string, r: RunResult) {
  console.log(formatFigures(name, figuresOf(r)));
  for (const [reason, n] of r.failures) console.log(`  ${n} × ${reason}`);
}

/** The ratios and the targets, met or not. */
function compare(concurrency: number, p: Figures, d: Figures) {
  const met = (ok: boolean) => (ok ? "met" : "NOT met");
  const p50Limit = 1.25 * d.p50 + 100;
  const tputFloor = 0.8 * d.jobsPerSec;
  console.log(`\n${concurrency} in flight:`);
  console.log(formatFigures("pipeline", p));
  console.log(formatFigures("in-process", d));
  console.log(`p50 ratio (pipeline ÷ in-process): ${(p.p50 / d.p50).toFixed(2)}×`);
  console.log(`p95 ratio (pipeline ÷ in-process): ${(p.p95 / d.p95).toFixed(2)}×`);
  console.log(`throughput ratio (pipeline ÷ in-process): ${(p.jobsPerSec / d.jobsPerSec).toFixed(2)}×`);
  console.log(
    `target p50 ≤ 1.25× in-process + 100 ms (≤ ${p50Limit.toFixed(0)} ms): ${met(p.p50 <= p50Limit)} (${p.p50.toFixed(0)} ms)`,
  );
  console.log(
    `target throughput ≥ 0.8× in-process (≥ ${tputFloor.toFixed(1)} jobs/s): ${met(p.jobsPerSec >= tputFloor)} (${p.jobsPerSec.toFixed(1)} jobs/s)`,
  );
  if (p.failed || d.failed) console.log("some jobs failed: the figures above count completed jobs only");
}
