import { expect, test } from "vitest";
import { createCoalescer } from "./producer.ts";

const rec = (topic: string, value: string) => ({ topic, message: { value: Buffer.from(value) } });

/** A send whose requests stay in flight until the test settles them. */
function gated() {
  const requests: { values: string[]; settle(err?: Error): void }[] = [];
  const send = (records: { message: { value: Buffer | string | null } }[]) =>
    new Promise<void>((resolve, reject) => {
      requests.push({
        values: records.map((r) => String(r.message.value)),
        settle: (err) => (err ? reject(err) : resolve()),
      });
    });
  return { requests, send };
}

const turn = () => new Promise((r) => setImmediate(r));

test("idle: a batch goes at once; batches queued behind a request go together, in call order", async () => {
  const { requests, send } = gated();
  const coalesce = createCoalescer(send);
  const first = coalesce([rec("t", "a1"), rec("u", "a2")]);
  expect(requests.map((r) => r.values)).toEqual([["a1", "a2"]]);
  const second = coalesce([rec("t", "b1")]);
  const third = coalesce([rec("t", "c1"), rec("t", "c2")]);
  await turn();
  // One request in flight at a time: b and c wait for a.
  expect(requests).toHaveLength(1);
  requests[0]!.settle();
  await first;
  await turn();
  expect(requests.map((r) => r.values)).toEqual([
    ["a1", "a2"],
    ["b1", "c1", "c2"],
  ]);
  requests[1]!.settle();
  await Promise.all([second, third]);
});

test("a failed request of several batches is sent again batch by batch: only a bad one fails", async () => {
  const { requests, send } = gated();
  const coalesce = createCoalescer(send);
  const first = coalesce([rec("t", "a")]);
  const second = coalesce([rec("t", "b")]);
  const third = coalesce([rec("t", "c")]);
  requests[0]!.settle();
  await first;
  await turn();
  expect(requests[1]!.values).toEqual(["b", "c"]);
  requests[1]!.settle(new Error("INVALID_RECORD"));
  await turn();
  await turn();
  // Each caller's batch alone, in order: b goes through, c is the bad one.
  expect(requests[2]!.values).toEqual(["b"]);
  requests[2]!.settle();
  await second;
  await turn();
  expect(requests[3]!.values).toEqual(["c"]);
  requests[3]!.settle(new Error("INVALID_RECORD"));
  await expect(third).rejects.toThrow("INVALID_RECORD");
  // The producer goes on coalescing.
  const later = [coalesce([rec("t", "d")]), coalesce([rec("t", "e")])];
  await turn();
  requests.at(-1)!.settle();
  await turn();
  expect(requests.at(-1)!.values).toEqual(["e"]);
  requests.at(-1)!.settle();
  await Promise.all(later);
});

test("a request carries at most ~512 KiB of queued batches (whole batches; one batch alone may be larger)", async () => {
  const { requests, send } = gated();
  const coalesce = createCoalescer(send);
  const big = "x".repeat(300 * 1024);
  const waiting = [coalesce([rec("t", "a")]), coalesce([rec("t", big)]), coalesce([rec("t", big)])];
  requests[0]!.settle();
  await turn();
  await turn();
  expect(requests[1]!.values.map((v) => v.length)).toEqual([big.length]);
  requests[1]!.settle();
  await turn();
  await turn();
  expect(requests[2]!.values.map((v) => v.length)).toEqual([big.length]);
  requests[2]!.settle();
  await Promise.all(waiting);
});
