import type { Admin } from "kafkajs";

/**
 * Events written to `topicNames` that the group has not committed yet (0 = caught up). What an operator
 * watches, and what benchmarks and tests wait on instead of sleeping.
 */
export async function consumerLag(
  admin: Admin,
  groupId: string,
  topicNames: readonly string[],
): Promise<number> {
  let total = 0;
  for (const topic of topicNames) {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const end of ends) {
      const c = Number(committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1");
      total += Number(end.high) - Math.max(c, Number(end.low));
    }
  }
  return total;
}
