/** What one benchmark run measured: each finished job's latency and the run's wall clock. */
export interface RunResult {
  /** Milliseconds from a job's submit to its completion, for the jobs that completed. */
  latencies: number[];
  /** Jobs that ended otherwise (failed step, error), by reason. */
  failures: Map<string, number>;
  /** performance.now() of the first submit and of the last completion. */
  firstStart: number;
  lastEnd: number;
}

/** The figures printed for a run. */
export interface Figures {
  completed: number;
  failed: number;
  p50: number;
  p95: number;
  jobsPerSec: number;
}

/**
 * Runs `count` jobs with at most `concurrency` in flight (a closed loop: a lane starts its next job when the
 * previous one completed), timing each from the start of `job` to its resolution.
 */
export async function runLanes(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<RunResult> {
  const result: RunResult = { latencies: [], failures: new Map(), firstStart: Infinity, lastEnd: 0 };
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      const start = performance.now();
      result.firstStart = Math.min(result.firstStart, start);
      try {
        await job(i);
        result.latencies.push(performance.now() - start);
      } catch (err) {
        const reason = err instanceof Error ? err.message.slice(0, 200) : String(err);
        result.failures.set(reason, (result.failures.get(reason) ?? 0) + 1);
      }
      result.lastEnd = Math.max(result.lastEnd, performance.now());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return result;
}

/** Nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** p50/p95 of the completed jobs and throughput from the first submit to the last completion. */
export function figuresOf(r: RunResult): Figures {
  const failed = [...r.failures.values()].reduce((a, b) => a + b, 0);
  const seconds = (r.lastEnd - r.firstStart) / 1000;
  return {
    completed: r.latencies.length,
    failed,
    p50: percentile(r.latencies, 50),
    p95: percentile(r.latencies, 95),
    jobsPerSec: seconds > 0 ? r.latencies.length / seconds : Number.NaN,
  };
}

/** One line per run: `name  completed/failed  p50  p95  jobs/s`. */
export function formatFigures(name: string, f: Figures): string {
  return `${name.padEnd(12)} completed ${f.completed}, failed ${f.failed}; p50 ${f.p50.toFixed(0)} ms, p95 ${f.p95.toFixed(0)} ms, ${f.jobsPerSec.toFixed(1)} jobs/s`;
}
