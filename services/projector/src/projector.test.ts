import { allTopics, registerSchemas, topics } from "@postprocess/contracts";
import { createCodec, createKafka, createProducer, ensureTopics, silentLogger } from "@postprocess/kafka";
import { createDatabase, test, uniqueName, waitFor } from "@postprocess/testkit";
import { expect } from "vitest";
import type { ProjectorInput } from "./apply-event.ts";
import { jobStream } from "./fixtures.ts";
import { startProjector } from "./projector.ts";
import { snapshotTables } from "./snapshot.ts";
import { projectorDatabase, projectorLag } from "./test-support.ts";

test("projects the stream through Kafka: rows, status topic, duplicates ignored, replay into an empty database identical", async ({
  env,
  admin,
}) => {
  const prefix = `${uniqueName("p")}.`;
  const [groupA, groupB] = [uniqueName("proj-a"), uniqueName("proj-b")];
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: allTopics,
    groups: [groupA, groupB],
  });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("pt"),
    logger: silentLogger,
  });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const dbs = [await createDatabase(env), await createDatabase(env)];
  const orms = await Promise.all(dbs.map((db) => projectorDatabase(db.url)));
  const running: {
    consumer: { stop(t?: number): Promise<void> };
    producer: { disconnect(): Promise<void> };
  }[] = [];
  try {
    await producer.connect();
    const ids = [
      "proc_01JC00000000000000000000P1",
      "proc_01JC00000000000000000000P2",
      "proc_01JC00000000000000000000P3",
    ];
    const events: ProjectorInput[] = ids.flatMap((id, i) =>
      jobStream({ processingId: id, t0: Date.UTC(2026, 0, 1) + i * 100 }).happyPath(),
    );
    const unknownAccount = jobStream({
      processingId: "proc_01JC00000000000000000000ZZ",
      accountId: "acc_nobody",
    }).ended();
    const publish = (list: ProjectorInput[]) =>
      producer.sendBatch(list.map((e) => ({ topic: e.topic, event: e.event }) as never));
    await publish(events);
    await publish([unknownAccount]);

    running.push(
      await startProjector({
        orm: orms[0]!,
        kafka,
        codec,
        groupId: groupA,
        topicPrefix: prefix,
        logger: silentLogger,
      }),
    );
    await waitFor(
      "three completed jobs in the database",
      async () => {
        const rows = await orms[0]!.em
          .fork()
          .getConnection()
          .execute("SELECT status FROM conversation_processing WHERE status = 'completed'");
        return rows.length === 3;
      },
      { timeoutMs: 30_000 },
    );
    await waitFor(
      "group A to commit every event",
      async () => (await projectorLag(admin, groupA, prefix)) === 0,
      {
        timeoutMs: 30_000,
      },
    );
    const first = await snapshotTables(orms[0]!);
    expect(first.conversation_processing).toHaveLength(3);
    expect(first.processing_audit_log).toHaveLength(33);

    // processing.status: the newest record per job is its completed state.
    const latest = new Map<string, { status: string; version: number }>();
    const reader = kafka.consumer({ groupId: uniqueName("status-reader"), maxWaitTimeInMs: 100 });
    await reader.connect();
    await reader.subscribe({ topic: prefix + topics.processingStatus.name, fromBeginning: true });
    await reader.run({
      eachMessage: async ({ message }) => {
        const s = (await codec.decode(message.value)) as {
          processing_id: string;
          status: string;
          version: number;
        };
        const prev = latest.get(s.processing_id);
        if (!prev || s.version >= prev.version) latest.set(s.processing_id, s);
      },
    });
    await waitFor(
      "completed status of each job on processing.status",
      () => ids.every((id) => latest.get(id)?.status === "completed") && latest,
    );
    await reader.disconnect();
    expect([...latest.values()].map((s) => s.version)).toEqual([15, 15, 15]);

    // The unknown account's event went to the dead-letter topic, not into the tables.
    const dlqEnds = await admin.fetchTopicOffsets(`${prefix}${groupA}.dlq`);
    expect(dlqEnds.reduce((n, p) => n + Number(p.high), 0)).toBe(1);

    // Every event again: nothing changes.
    await publish(events);
    await waitFor(
      "group A to commit the duplicates",
      async () => (await projectorLag(admin, groupA, prefix)) === 0,
      {
        timeoutMs: 30_000,
      },
    );
    expect(await snapshotTables(orms[0]!)).toEqual(first);

    // Replay every topic from offset 0 into an empty database with a new group: identical rows.
    running.push(
      await startProjector({
        orm: orms[1]!,
        kafka,
        codec,
        groupId: groupB,
        topicPrefix: prefix,
        logger: silentLogger,
        maxBatchSize: 7,
      }),
    );
    await waitFor(
      "group B to replay every event",
      async () => (await projectorLag(admin, groupB, prefix)) === 0,
      {
        timeoutMs: 30_000,
      },
    );
    expect(await snapshotTables(orms[1]!)).toEqual(first);
  } finally {
    for (const r of running) {
      await r.consumer.stop(5000);
      await r.producer.disconnect();
    }
    await producer.disconnect();
    for (const orm of orms) await orm.close();
    for (const db of dbs) await db.drop();
    await admin.deleteTopics({ topics: created }).catch(() => {});
  }
});

test("two replicas in one group fold the same jobs as one replica does: no lost updates across partitions", async ({
  env,
  admin,
}) => {
  const prefix = `${uniqueName("p2")}.`;
  const [shared, solo] = [uniqueName("proj-shared"), uniqueName("proj-solo")];
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const { created } = await ensureTopics(admin, {
    topicPrefix: prefix,
    topics: allTopics,
    groups: [shared, solo],
  });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("pt"),
    logger: silentLogger,
  });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  const dbs = [await createDatabase(env), await createDatabase(env)];
  const orms = await Promise.all(dbs.map((db) => projectorDatabase(db.url)));
  const running: Awaited<ReturnType<typeof startProjector>>[] = [];
  try {
    await producer.connect();
    const events = Array.from({ length: 60 }, (_, i) =>
      jobStream({
        processingId: `proc_01JC0000000000000000000${String(i).padStart(3, "0")}`,
        t0: Date.UTC(2026, 0, 1) + i,
      }).happyPath(),
    ).flat();
    await producer.sendBatch(events.map((e) => ({ topic: e.topic, event: e.event }) as never));
    const common = { kafka, codec, topicPrefix: prefix, logger: silentLogger, maxBatchSize: 25 };
    // Two members share the partitions of every topic, so one job's events are folded by both.
    running.push(await startProjector({ ...common, orm: orms[0]!, groupId: shared }));
    running.push(await startProjector({ ...common, orm: orms[0]!, groupId: shared }));
    running.push(await startProjector({ ...common, orm: orms[1]!, groupId: solo }));
    for (const g of [shared, solo]) {
      await waitFor(`${g} to commit every event`, async () => (await projectorLag(admin, g, prefix)) === 0, {
        timeoutMs: 45_000,
      });
    }
    const together = await snapshotTables(orms[0]!);
    expect(together.conversation_processing).toHaveLength(60);
    expect(together.processing_audit_log).toHaveLength(60 * 11);
    expect(together).toEqual(await snapshotTables(orms[1]!));
  } finally {
    for (const r of running) {
      await r.consumer.stop(5000);
      await r.producer.disconnect();
    }
    await producer.disconnect();
    for (const orm of orms) await orm.close();
    for (const db of dbs) await db.drop();
    await admin.deleteTopics({ topics: created }).catch(() => {});
  }
});
