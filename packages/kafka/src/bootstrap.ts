import { setTimeout as sleep } from "node:timers/promises";
import { allTopics, type TopicDef, type TopicLayout } from "@postprocess/contracts";
import kafkajs, { type Admin, type ITopicConfig, type Kafka } from "kafkajs";
import { failureTopics } from "./dead-letter.ts";

// kafkajs is CommonJS and Node's ESM loader cannot see this export by name: read it off the default.
const { ConfigResourceTypes } = kafkajs;

const day = 24 * 3600 * 1000;

/** Layout of a group's retry topic: short-lived, each record is due within seconds. */
export const retryLayout: TopicLayout = { partitions: 6, cleanupPolicy: "delete", retentionMs: 7 * day };
/** Layout of a group's dead-letter topic: kept long enough for someone to look and replay. */
export const dlqLayout: TopicLayout = { partitions: 6, cleanupPolicy: "delete", retentionMs: 28 * day };

export interface EnsureTopicsOptions {
  /** Prepended to every topic name (tests isolate themselves with a unique one). */
  topicPrefix?: string;
  topics: readonly TopicDef[];
  /** Consumer groups whose `<group>.retry` and `<group>.dlq` topics to create. */
  groups?: readonly string[];
  /** Replication factor of new topics; default -1, the broker's `default.replication.factor`. */
  replicationFactor?: number;
}

export interface EnsureTopicsResult {
  created: string[];
  /** Existing topics whose configs were brought back to the layout. */
  updated: string[];
  /** Differences the bootstrap will not fix by itself (partition counts). */
  warnings: string[];
}

/** Broker configs a layout stands for; the bootstrap compares and sets exactly these. */
export function topicConfigs(layout: TopicLayout): Record<string, string> {
  const configs: Record<string, string> = { "cleanup.policy": layout.cleanupPolicy };
  if (layout.retentionMs !== undefined) configs["retention.ms"] = String(layout.retentionMs);
  if (layout.cleanupPolicy === "compact") {
    // Defaults (0.5, 7-day segments) leave a week of stale copies uncompacted; a status topic wants less.
    configs["min.cleanable.dirty.ratio"] = "0.1";
    configs["segment.ms"] = String(3600 * 1000);
    configs["delete.retention.ms"] = String(day);
  }
  return configs;
}

/**
 * Creates missing topics with their layout's partitions and configs, plus each group's retry and DLQ
 * topics. Idempotent: a second run creates nothing. An existing topic whose configs drifted is set back
 * (AlterConfigs replaces the topic's whole config set, so only layout keys survive); a partition count that
 * differs is only reported, since changing it would move keys to other partitions and break their order.
 */
export async function ensureTopics(admin: Admin, opts: EnsureTopicsOptions): Promise<EnsureTopicsResult> {
  const prefix = opts.topicPrefix ?? "";
  const wanted = new Map<string, TopicLayout>();
  for (const t of opts.topics) wanted.set(prefix + t.name, t.layout);
  for (const g of opts.groups ?? []) {
    const { retry, dlq } = failureTopics(prefix, g);
    wanted.set(retry, retryLayout);
    wanted.set(dlq, dlqLayout);
  }

  const existing = new Set(await admin.listTopics());
  const missing: ITopicConfig[] = [...wanted]
    .filter(([name]) => !existing.has(name))
    .map(([name, layout]) => ({
      topic: name,
      numPartitions: layout.partitions,
      replicationFactor: opts.replicationFactor ?? -1,
      configEntries: Object.entries(topicConfigs(layout)).map(([n, value]) => ({ name: n, value })),
    }));
  if (missing.length) {
    // Another replica may create the same topics concurrently; kafkajs then answers false instead of failing.
    await admin.createTopics({ topics: missing, waitForLeaders: false });
    await waitUntilServed(
      admin,
      missing.map((t) => t.topic),
    );
  }

  const present = [...wanted].filter(([name]) => existing.has(name));
  const result: EnsureTopicsResult = { created: missing.map((t) => t.topic), updated: [], warnings: [] };
  if (!present.length) return result;

  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map(([name]) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const metadata = await admin.fetchTopicMetadata({ topics: present.map(([name]) => name) });
  const drifted: { name: string; configs: Record<string, string> }[] = [];
  for (const [name, layout] of present) {
    const want = topicConfigs(layout);
    const have = new Map(
      resources
        .find((r) => r.resourceName === name)
        ?.configEntries.map((e) => [e.configName, e.configValue]) ?? [],
    );
    if (Object.entries(want).some(([k, v]) => have.get(k) !== v)) drifted.push({ name, configs: want });
    const partitions = metadata.topics.find((t) => t.name === name)?.partitions.length;
    if (partitions !== layout.partitions) {
      result.warnings.push(
        `${name} has ${partitions} partitions, its layout says ${layout.partitions}; not changed`,
      );
    }
  }
  if (drifted.length) {
    await admin.alterConfigs({
      validateOnly: false,
      resources: drifted.map(({ name, configs }) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      })),
    });
    result.updated = drifted.map((d) => d.name);
  }
  return result;
}

/** Errors a just-created topic answers with until the broker has caught up with the controller. */
const notReadyYet = new Set([
  "UNKNOWN_TOPIC_OR_PARTITION",
  "LEADER_NOT_AVAILABLE",
  "NOT_LEADER_FOR_PARTITION",
]);

/**
 * Waits until every partition of `names` has a leader that answers. kafkajs's own `waitForLeaders` gives up
 * on UNKNOWN_TOPIC_OR_PARTITION, which a KRaft broker answers for a moment after CreateTopics returns; and
 * for a moment more the leader named in metadata refuses ListOffsets, which makes a consumer that starts
 * right then rejoin its group (a needless rebalance). So: metadata first, then a ListOffsets per topic.
 */
async function waitUntilServed(admin: Admin, names: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: names });
      const led = topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (led && topics.length === names.length) {
        await Promise.all(names.map((n) => admin.fetchTopicOffsets(n)));
        return;
      }
    } catch (err) {
      if (!notReadyYet.has((err as { type?: string }).type ?? "")) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${names.join(", ")} not served after ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * A service's start-up bootstrap: every catalog topic and the service's group topics, through an admin
 * client that is closed again whatever happens.
 */
export async function bootstrapTopics(
  kafka: Kafka,
  opts: { topicPrefix: string; group: string },
): Promise<EnsureTopicsResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, {
      topicPrefix: opts.topicPrefix,
      topics: allTopics,
      groups: [opts.group],
    });
  } finally {
    await admin.disconnect();
  }
}
