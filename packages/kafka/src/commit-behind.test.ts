import { expect, test } from "vitest";
import { commitBehind } from "./commit-behind.ts";

/** A commit function whose calls stay pending until the test settles them, in order. */
function gatedCommits() {
  const calls: { offset: string; settle(err?: Error): void }[] = [];
  const commit = (offset: string) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ offset, settle: (err) => (err ? reject(err) : resolve()) });
    });
  return { calls, commit };
}

const turn = () => new Promise((r) => setImmediate(r));

test("commits at once, coalesces offsets finished during a commit, and flush waits for the last one", async () => {
  const { calls, commit } = gatedCommits();
  const c = commitBehind(commit);
  c.done("1");
  // The first commit leaves at once; the handler of the next message does not wait for it.
  expect(calls.map((x) => x.offset)).toEqual(["1"]);
  c.done("2");
  c.done("3");
  // One commit at a time: 2 and 3 wait for 1, and only the latest is sent.
  expect(calls.map((x) => x.offset)).toEqual(["1"]);
  let flushed = false;
  const flushing = c.flush().then(() => {
    flushed = true;
  });
  calls[0]!.settle();
  await turn();
  expect(calls.map((x) => x.offset)).toEqual(["1", "3"]);
  expect(flushed).toBe(false);
  calls[1]!.settle();
  await flushing;
  expect(flushed).toBe(true);
});

test("a failed commit (a rebalance) surfaces at the next done() or flush, and nothing later is committed", async () => {
  const { calls, commit } = gatedCommits();
  const c = commitBehind(commit);
  c.done("1");
  calls[0]!.settle(new Error("REBALANCE_IN_PROGRESS"));
  await expect(c.flush()).rejects.toThrow("REBALANCE_IN_PROGRESS");
  expect(() => c.done("2")).toThrow("REBALANCE_IN_PROGRESS");
  await turn();
  expect(calls.map((x) => x.offset)).toEqual(["1"]);
});

test("flush with nothing handed in resolves without committing", async () => {
  const { calls, commit } = gatedCommits();
  await commitBehind(commit).flush();
  expect(calls).toEqual([]);
});
