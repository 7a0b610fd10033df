import { setTimeout as sleep } from "node:timers/promises";
import type { EachBatchPayload } from "kafkajs";

/** Errors after which only a rejoin helps; kafkajs rejoins when eachBatch throws them. */
const needsRejoin = new Set([
  "REBALANCE_IN_PROGRESS",
  "ILLEGAL_GENERATION",
  "UNKNOWN_MEMBER_ID",
  "NOT_COORDINATOR_FOR_GROUP",
]);

/**
 * Commits the offset after `offset` for one partition. A transient failure (timeout, coordinator loading)
 * is retried briefly: the fetch position has already moved on, so a lost commit would only be repaired by
 * the partition's next commit. A rebalance is thrown at once; the partition's next owner then re-reads from
 * the last commit (at-least-once).
 */
export async function commitNext(
  payload: Pick<EachBatchPayload, "commitOffsetsIfNecessary">,
  topic: string,
  partition: number,
  offset: string,
): Promise<void> {
  const next = (BigInt(offset) + 1n).toString();
  for (let attempt = 1; ; attempt++) {
    try {
      await payload.commitOffsetsIfNecessary({
        topics: [{ topic, partitions: [{ partition, offset: next }] }],
      });
      return;
    } catch (err) {
      const { type, retriable } = err as { type?: string; retriable?: boolean };
      if (needsRejoin.has(type ?? "") || !retriable || attempt >= 3) throw err;
      await sleep(100 * 2 ** attempt);
    }
  }
}
