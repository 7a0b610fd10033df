import { afterEach, beforeEach, expect, test, vi } from "vitest";
import { type CommitOffset, commitWithin, createOffsetCommitter } from "./offset-committer.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A commit function that records each request and fails while `failing` is set. */
function recorder() {
  const calls: CommitOffset[][] = [];
  const state = { failing: false };
  const commit = async (offsets: CommitOffset[]) => {
    calls.push(offsets);
    if (state.failing) throw new Error("REBALANCE_IN_PROGRESS");
  };
  return { calls, state, commit };
}

test("one commit per interval carries every partition's latest next offset", async () => {
  const { calls, commit } = recorder();
  const c = createOffsetCommitter({ commit, intervalMs: 1000, onError: () => {} });
  c.done("a", 0, "4");
  c.done("a", 0, "5");
  c.done("a", 1, "9");
  c.done("b", 0, "0");
  // An older offset handed in late (another chunk's) never moves a partition back.
  c.done("a", 0, "3");
  await vi.advanceTimersByTimeAsync(999);
  expect(calls).toEqual([]);
  await vi.advanceTimersByTimeAsync(1);
  expect(calls).toEqual([
    [
      { topic: "a", partition: 0, offset: "6" },
      { topic: "a", partition: 1, offset: "10" },
      { topic: "b", partition: 0, offset: "1" },
    ],
  ]);
  // Nothing new: no empty commits while idle.
  await vi.advanceTimersByTimeAsync(5000);
  expect(calls).toHaveLength(1);
  c.done("a", 1, "10");
  await vi.advanceTimersByTimeAsync(1000);
  expect(calls[1]).toEqual([{ topic: "a", partition: 1, offset: "11" }]);
  c.close();
});

test("a failed commit keeps its offsets for the next one unless a later offset superseded them", async () => {
  const { calls, state, commit } = recorder();
  const errors: unknown[] = [];
  const c = createOffsetCommitter({ commit, intervalMs: 100, onError: (e) => errors.push(e) });
  state.failing = true;
  c.done("a", 0, "1");
  c.done("a", 1, "7");
  await vi.advanceTimersByTimeAsync(100);
  expect(errors).toHaveLength(1);
  state.failing = false;
  c.done("a", 1, "8");
  await vi.advanceTimersByTimeAsync(100);
  expect(calls.at(-1)).toEqual([
    { topic: "a", partition: 0, offset: "2" },
    { topic: "a", partition: 1, offset: "9" },
  ]);
  c.close();
});

test("after a rebalance only the partitions still owned are committed", async () => {
  const { calls, commit } = recorder();
  const c = createOffsetCommitter({ commit, intervalMs: 100, onError: () => {} });
  c.done("a", 0, "1");
  c.done("a", 1, "2");
  c.done("b", 0, "3");
  c.retain({ a: [1] });
  await c.flush();
  expect(calls).toEqual([[{ topic: "a", partition: 1, offset: "3" }]]);
  c.close();
});

test("a commit that fails after a rebalance took its partition away does not come back for it", async () => {
  let fail: (err: Error) => void = () => {};
  const calls: CommitOffset[][] = [];
  const c = createOffsetCommitter({
    commit: (offsets) => {
      calls.push(offsets);
      return calls.length === 1 ? new Promise<void>((_, reject) => (fail = reject)) : Promise.resolve();
    },
    intervalMs: 60_000,
    onError: () => {},
  });
  c.done("a", 0, "1");
  c.done("a", 1, "1");
  const flushing = c.flush().catch(() => {});
  // The rebalance lands while the commit is out; then the commit fails.
  c.retain({ a: [1] });
  fail(new Error("REBALANCE_IN_PROGRESS"));
  await flushing;
  await c.flush();
  expect(calls[1]).toEqual([{ topic: "a", partition: 1, offset: "2" }]);
  c.close();
});

test("flush commits at once and throws the failure; the shutdown commit reports instead of throwing", async () => {
  const { calls, state, commit } = recorder();
  const c = createOffsetCommitter({ commit, intervalMs: 60_000, onError: () => {} });
  c.done("a", 0, "1");
  await c.flush();
  expect(calls).toEqual([[{ topic: "a", partition: 0, offset: "2" }]]);
  state.failing = true;
  c.done("a", 0, "2");
  await expect(c.flush()).rejects.toThrow("REBALANCE_IN_PROGRESS");
  const reported: unknown[] = [];
  await commitWithin(c, Date.now() + 1000, (e) => reported.push(e));
  expect(reported).toHaveLength(1);
  // The failed offset was retried by the shutdown commit.
  expect(calls.at(-1)).toEqual([{ topic: "a", partition: 0, offset: "3" }]);
});

test("interval 0 commits as soon as the previous commit returned", async () => {
  const { calls, commit } = recorder();
  const c = createOffsetCommitter({ commit, intervalMs: 0, onError: () => {} });
  c.done("a", 0, "1");
  await vi.advanceTimersByTimeAsync(0);
  expect(calls).toEqual([[{ topic: "a", partition: 0, offset: "2" }]]);
  c.close();
});
