import type { KafkaMessage } from "kafkajs";
import { expect, test } from "vitest";
import { createLanes, type LaneOptions, type LaneOutcome } from "./lanes.ts";

const msg = (offset: number) => ({ offset: String(offset), value: null }) as unknown as KafkaMessage;
const msgs = (...offsets: number[]) => offsets.map(msg);
const turn = () => new Promise((r) => setImmediate(r));

/** Lanes whose handler calls stay pending until the test settles them. */
function harness(over: Partial<LaneOptions> = {}) {
  const calls: { at: string; settle(o?: LaneOutcome | Error): void }[] = [];
  const log: string[] = [];
  const stopping = new AbortController();
  const lanes = createLanes({
    concurrency: 2,
    highWater: 4,
    stopping: stopping.signal,
    retryMs: 5,
    process: (topic, partition, m) =>
      new Promise<LaneOutcome>((resolve, reject) => {
        calls.push({
          at: `${topic}/${partition}@${m.offset}`,
          settle: (o = "done") => (o instanceof Error ? reject(o) : resolve(o)),
        });
      }),
    done: (topic, partition, offset) => log.push(`done ${topic}/${partition}@${offset}`),
    pause: (topic, partition) => log.push(`pause ${topic}/${partition}`),
    resume: (topic, partition) => log.push(`resume ${topic}/${partition}`),
    onError: (err) => log.push(`error ${(err as Error).message}`),
    ...over,
  });
  /** Settles the oldest pending call of `at`. */
  const settle = async (at: string, o?: LaneOutcome | Error) => {
    await turn();
    const i = calls.findIndex((c) => c.at === at);
    if (i < 0) throw new Error(`no pending call at ${at}; pending: ${calls.map((c) => c.at).join(", ")}`);
    calls.splice(i, 1)[0]!.settle(o);
    await turn();
    await turn();
  };
  return { lanes, calls, log, settle, stopping, pending: () => calls.map((c) => c.at) };
}

test("partitions move independently: a slow message holds up only its own partition", async () => {
  const h = harness();
  h.lanes.enqueue("t", 0, msgs(0, 1));
  h.lanes.enqueue("t", 1, msgs(0, 1, 2));
  await turn();
  expect(h.pending()).toEqual(["t/0@0", "t/1@0"]);
  // t/0@0 is slow; t/1 goes on meanwhile, in order.
  await h.settle("t/1@0");
  await h.settle("t/1@1");
  expect(h.pending()).toEqual(["t/0@0", "t/1@2"]);
  await h.settle("t/1@2");
  await h.settle("t/0@0");
  await h.settle("t/0@1");
  expect(h.log).toEqual(["done t/1@0", "done t/1@1", "done t/1@2", "done t/0@0", "done t/0@1"]);
});

test("at most `concurrency` handlers run at once across lanes", async () => {
  const h = harness();
  for (const p of [0, 1, 2]) h.lanes.enqueue("t", p, msgs(0));
  await turn();
  expect(h.pending()).toHaveLength(2);
  await h.settle(h.pending()[0]!);
  expect(h.pending()).toHaveLength(2);
});

test("a full lane pauses its partition and resumes it at half; already-queued offsets are not queued twice", async () => {
  const h = harness();
  h.lanes.enqueue("t", 0, msgs(0, 1, 2, 3));
  expect(h.log).toEqual(["pause t/0"]);
  // A refetch of what the lane already has adds nothing.
  h.lanes.enqueue("t", 0, msgs(2, 3));
  await h.settle("t/0@0");
  expect(h.log).toEqual(["pause t/0", "done t/0@0"]);
  await h.settle("t/0@1");
  expect(h.log).toEqual(["pause t/0", "done t/0@0", "done t/0@1", "resume t/0"]);
  await h.settle("t/0@2");
  await h.settle("t/0@3");
  expect(h.pending()).toEqual([]);
});

test("not due yet: the lane waits and runs the same message again; a failing process() is retried too", async () => {
  const h = harness();
  h.lanes.enqueue("r", 0, msgs(7, 8));
  await h.settle("r/0@7", { waitMs: 5 });
  await new Promise((r) => setTimeout(r, 20));
  await h.settle("r/0@7", new Error("DLQ publish failed"));
  await new Promise((r) => setTimeout(r, 20));
  await h.settle("r/0@7");
  await h.settle("r/0@8");
  expect(h.log).toEqual(["error DLQ publish failed", "done r/0@7", "done r/0@8"]);
});

test("rebalance: a lost partition's lane stops uncommitted; a kept one skips what ran and takes the refetch", async () => {
  const h = harness({ concurrency: 4 });
  h.lanes.enqueue("t", 0, msgs(0, 1, 2));
  h.lanes.enqueue("t", 1, msgs(0, 1));
  await h.settle("t/0@0");
  await turn();
  expect(h.pending()).toEqual(["t/1@0", "t/0@1"]);
  h.lanes.reassigned({ t: [0] });
  // t/1@0 finishes but is not handed to the committer: partition 1 is someone else's now.
  await h.settle("t/1@0");
  // kafkajs refetches partition 0 from its committed offset (say 0): 0 ran, 1 is running, 2 is new.
  h.lanes.enqueue("t", 0, msgs(0, 1, 2));
  await h.settle("t/0@1");
  await h.settle("t/0@2");
  expect(h.pending()).toEqual([]);
  expect(h.log).toEqual(["done t/0@0", "done t/0@1", "done t/0@2"]);
});

test("shutdown: lanes stop after their running message, the rest stays unhandled", async () => {
  const h = harness();
  h.lanes.enqueue("t", 0, msgs(0, 1, 2));
  await turn();
  h.stopping.abort();
  const drained = h.lanes.drain();
  await h.settle("t/0@0");
  await drained;
  expect(h.pending()).toEqual([]);
  expect(h.log).toEqual(["done t/0@0"]);
});

test("a partition paused and then lost is resumed (kafkajs keeps the pause), so it is read again if it comes back", async () => {
  const h = harness();
  h.lanes.enqueue("t", 0, msgs(0, 1, 2, 3));
  expect(h.log).toEqual(["pause t/0"]);
  h.lanes.reassigned({ t: [1] });
  expect(h.log).toEqual(["pause t/0", "resume t/0"]);
});

test("after a rebalance a fetch made before it is refused unread, and so is one of a partition not owned", async () => {
  const h = harness({ concurrency: 1 });
  // 0 runs; 1–5 are queued; the member had asked kafkajs for 6 onwards.
  expect(h.lanes.enqueue("t", 0, msgs(0, 1, 2, 3, 4, 5), "0")).toBe(true);
  await turn();
  h.lanes.reassigned({ t: [0] });
  // That fetch (from 6) arrives late: taking it would skip 1–5, which kafkajs will read again.
  expect(h.lanes.enqueue("t", 0, msgs(6, 7), "6")).toBe(false);
  expect(h.lanes.enqueue("t", 1, msgs(0), "0")).toBe(false);
  // The re-read from the committed offset (0) is taken; 0 (running) is not queued twice.
  expect(h.lanes.enqueue("t", 0, msgs(0, 1, 2), "0")).toBe(true);
  await h.settle("t/0@0");
  await h.settle("t/0@1");
  await h.settle("t/0@2");
  expect(h.log.filter((l) => l.startsWith("done"))).toEqual(["done t/0@0", "done t/0@1", "done t/0@2"]);
  // Once a fetch was taken, later ones are normal again.
  expect(h.lanes.enqueue("t", 0, msgs(3), "3")).toBe(true);
  await h.settle("t/0@3");
});

test("a partition lost and regained while its message runs: the new lane waits for it; drain waits for both", async () => {
  const h = harness({ concurrency: 2 });
  h.lanes.enqueue("t", 0, msgs(0));
  await turn();
  expect(h.pending()).toEqual(["t/0@0"]);
  h.lanes.reassigned({});
  h.lanes.reassigned({ t: [0] });
  h.lanes.enqueue("t", 0, msgs(0, 1), "0");
  await turn();
  // Not twice at once on one member.
  expect(h.pending()).toEqual(["t/0@0"]);
  h.stopping.abort();
  let drained = false;
  const draining = h.lanes.drain().then(() => {
    drained = true;
  });
  await turn();
  expect(drained).toBe(false);
  await h.settle("t/0@0");
  await draining;
  // The revoked run is not committed; stopping kept the new lane from starting.
  expect(h.log).toEqual([]);
});
