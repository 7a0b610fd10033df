import type pg from "pg";

/** When the bench submitted a job and when it read the job's completion (Date.now(), epoch ms). */
export type JobClock = { submitted: number; ended: number };

/**
 * Where a pipeline job's time goes, from the projector's audit rows (each row's created_at is its event's
 * occurred_at, stamped by the publishing service): the gap between consecutive records of a job is either a
 * step's own work (`extract started → extract completed`) or a hop (the previous step's publish, the broker,
 * the next consumer's fetch, its job-state read). The first and last rows are joined to the bench's own
 * clock: submit → gateway's conversation.ended, and the last step record → completion read on
 * processing.status (projector fold + status publish + the bench's fetch). Prints the median of each segment.
 */
export async function printHops(sql: pg.Client, clocks: ReadonlyMap<string, JobClock>): Promise<void> {
  if (clocks.size === 0) return;
  const { rows } = await sql.query<{ processing_id: string; label: string; at: Date }>(
    `SELECT processing_id, coalesce(step_name || ' ', '') || event_status AS label, created_at AS at
       FROM processing_audit_log WHERE processing_id = ANY($1) ORDER BY processing_id, created_at, id`,
    [[...clocks.keys()]],
  );
  const byJob = new Map<string, { label: string; at: number }[]>();
  for (const r of rows) {
    const list = byJob.get(r.processing_id) ?? [];
    list.push({ label: r.label, at: r.at.getTime() });
    byJob.set(r.processing_id, list);
  }
  const gaps = new Map<string, number[]>();
  const add = (segment: string, ms: number) => gaps.set(segment, [...(gaps.get(segment) ?? []), ms]);
  for (const [id, records] of byJob) {
    const clock = clocks.get(id)!;
    const points = [
      { label: "bench submit", at: clock.submitted },
      ...records,
      { label: "bench read completed", at: clock.ended },
    ];
    for (let i = 1; i < points.length; i++)
      add(`${points[i - 1]!.label} → ${points[i]!.label}`, points[i]!.at - points[i - 1]!.at);
  }
  console.log(`median ms per segment (${byJob.size} jobs; audit times are ms-precise):`);
  let total = 0;
  for (const [segment, values] of gaps) {
    const sorted = values.toSorted((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    total += median;
    console.log(
      `  ${median.toFixed(0).padStart(6)}  ${segment}${values.length < byJob.size ? ` (${values.length} jobs)` : ""}`,
    );
  }
  console.log(`  ${total.toFixed(0).padStart(6)}  sum of medians`);
}
