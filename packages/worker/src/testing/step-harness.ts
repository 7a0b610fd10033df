import { type EventOf, registerSchemas, type TopicKey, topics } from "@postprocess/contracts";
import {
  createCodec,
  createConsumer,
  createKafka,
  createProducer,
  ensureTopics,
  type Handlers,
  type RetryPolicy,
  silentLogger,
} from "@postprocess/kafka";
import { type StackEnv, uniqueName, waitFor } from "@postprocess/testkit/stack";

/**
 * A step on the real Kafka runtime, for integration tests: a fresh topic prefix (schemas registered, topics
 * created), a producer, the step's consumer (started by `start`), and a reader that decodes everything
 * published on the output topics.
 */
export async function stepHarness<In extends TopicKey>(
  env: StackEnv,
  opts: { input: In; outputs: TopicKey[]; group: string },
) {
  const prefix = `${uniqueName(opts.group)}.`;
  const groupId = uniqueName(opts.group);
  const defs = [opts.input, ...opts.outputs].map((k) => topics[k]);
  // The runtime's own client: kafkajs's per-request noise while new topics elect leaders stays quiet.
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("harness"),
    logger: silentLogger,
  });
  const admin = kafka.admin();
  await admin.connect();
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: defs });
  const { created } = await ensureTopics(admin, { topicPrefix: prefix, topics: defs, groups: [groupId] });
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const producer = createProducer(kafka, codec, { topicPrefix: prefix });
  await producer.connect();

  const seen = new Map<string, unknown[]>(opts.outputs.map((k) => [prefix + topics[k].name, []]));
  const reader = kafka.consumer({ groupId: uniqueName("reader"), maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [...seen.keys()], fromBeginning: true });
  await reader.run({
    eachMessage: async ({ topic, message }) => void seen.get(topic)!.push(await codec.decode(message.value)),
  });
  let stop = async () => {};

  return {
    producer,
    groupId,
    /** Starts the step's consumer with `handlers` (and a retry policy, to keep failure tests short). */
    async start(handlers: Handlers<In>, retry?: Partial<RetryPolicy>) {
      const consumer = createConsumer(kafka, codec, {
        groupId,
        topicPrefix: prefix,
        handlers,
        retry,
        logger: silentLogger,
      });
      await consumer.start();
      stop = () => consumer.stop(5000);
    },
    /** Everything decoded so far on an output topic. */
    events<K extends TopicKey>(key: K): EventOf<K>[] {
      return (seen.get(prefix + topics[key].name) ?? []) as EventOf<K>[];
    },
    /** Waits until an output topic holds events matching `match`, and returns them. */
    waitFor<K extends TopicKey>(
      key: K,
      what: string,
      match: (events: EventOf<K>[]) => boolean,
      timeoutMs = 20_000,
    ): Promise<EventOf<K>[]> {
      return waitFor(what, () => match(this.events(key)) && this.events(key), { timeoutMs });
    },
    async close() {
      await stop();
      await reader.disconnect();
      await producer.disconnect();
      await admin.deleteTopics({ topics: created }).catch(() => {});
      await admin.disconnect();
    },
  };
}
