import { topics } from "@postprocess/contracts";
import { uniqueName, waitFor } from "@postprocess/testkit";
import kafkajs, { type Admin } from "kafkajs";
import { expect } from "vitest";
import { ensureTopics } from "./bootstrap.ts";
import { test } from "./testing/helpers.ts";

// kafkajs is CommonJS and Node's ESM loader cannot see this export by name: read it off the default.
const { ConfigResourceTypes } = kafkajs;

async function configsOf(admin: Admin, topic: string): Promise<Record<string, string>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
  });
  return Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
}

test("ensureTopics creates layouts and group topics, is idempotent, and repairs a drifted policy", async ({
  admin,
}) => {
  const topicPrefix = `${uniqueName("k")}.`;
  const groupId = "svc";
  const opts = { topicPrefix, topics: [topics.cancelRequested, topics.processingStatus], groups: [groupId] };
  const status = `${topicPrefix}processing.status`;
  const cancel = `${topicPrefix}processing.cancel-requested`;
  const names = [cancel, status, `${topicPrefix}svc.retry`, `${topicPrefix}svc.dlq`];
  try {
    const first = await ensureTopics(admin, opts);
    expect(first.created.sort()).toEqual([...names].sort());

    const second = await ensureTopics(admin, opts);
    expect(second).toEqual({ created: [], updated: [], warnings: [] });

    expect(await configsOf(admin, status)).toMatchObject({
      "cleanup.policy": "compact",
      "min.cleanable.dirty.ratio": "0.1",
      "segment.ms": "3600000",
    });
    expect(await configsOf(admin, cancel)).toMatchObject({
      "cleanup.policy": "delete",
      "retention.ms": "604800000",
    });
    const meta = await admin.fetchTopicMetadata({ topics: [status] });
    expect(meta.topics[0]!.partitions).toHaveLength(6);

    // Someone flips the status topic to delete: the next bootstrap sets it back to compact.
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: status,
          configEntries: [{ name: "cleanup.policy", value: "delete" }],
        },
      ],
    });
    // Config changes reach the broker through the KRaft metadata log: visible a moment later.
    await waitFor(
      "the drift to be visible",
      async () => (await configsOf(admin, status))["cleanup.policy"] === "delete",
    );
    const repaired = await ensureTopics(admin, opts);
    expect(repaired).toEqual({ created: [], updated: [status], warnings: [] });
    const fixed = await waitFor("compact again", async () => {
      const c = await configsOf(admin, status);
      return c["cleanup.policy"] === "compact" && c;
    });
    expect(fixed).toMatchObject({ "min.cleanable.dirty.ratio": "0.1", "segment.ms": "3600000" });
  } finally {
    await admin.deleteTopics({ topics: names }).catch(() => {});
  }
});

test("ensureTopics reports, and does not change, a partition count that differs from the layout", async ({
  admin,
}) => {
  const topicPrefix = `${uniqueName("k")}.`;
  const name = `${topicPrefix}${topics.stepEvent.name}`;
  // Made by hand, as an operator would, with the wrong partition count.
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic: name, numPartitions: 2 }] });
  await waitFor("the hand-made topic to exist", async () => (await admin.listTopics()).includes(name));
  try {
    const result = await ensureTopics(admin, { topicPrefix, topics: [topics.stepEvent] });
    expect(result.created).toEqual([]);
    expect(result.warnings).toEqual([`${name} has 2 partitions, its layout says 6; not changed`]);
    const meta = await admin.fetchTopicMetadata({ topics: [name] });
    expect(meta.topics[0]!.partitions).toHaveLength(2);
  } finally {
    await admin.deleteTopics({ topics: [name] }).catch(() => {});
  }
});
