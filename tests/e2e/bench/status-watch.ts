import { topics } from "@postprocess/contracts";
import { createCodec, createKafka, silentLogger } from "@postprocess/kafka";
import { type StackEnv, uniqueName } from "@postprocess/testkit/stack";

type Ending = { status: "completed" | "failed" | "cancelled"; code: string | undefined; at: number };

/** Follows `processing.status` and tells when each job reached a terminal status (the time it was read). */
export interface StatusWatch {
  /**
   * Resolves at the job's completion (performance.now() when read); rejects when it failed, was cancelled,
   * or did not end within `timeoutMs`.
   */
  ended(processingId: string, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

export async function watchStatuses(env: StackEnv, prefix: string): Promise<StatusWatch> {
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  const kafka = createKafka({
    brokers: env.KAFKA_BROKERS.split(","),
    clientId: uniqueName("bench"),
    logger: silentLogger,
  });
  const endings = new Map<string, Ending>();
  const waiters = new Map<string, (e: Ending) => void>();
  const consumer = kafka.consumer({ groupId: uniqueName("bench-status"), maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic: prefix + topics.processingStatus.name, fromBeginning: true });
  await consumer.run({
    // A throw-away group that always reads from the start: committing would only load the broker under test.
    autoCommit: false,
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ message }) => {
      const at = performance.now();
      if (!message.value) return;
      const s = (await codec.decode(message.value)) as {
        processing_id: string;
        status: string;
        error?: { code: string } | null;
      };
      if (s.status !== "completed" && s.status !== "failed" && s.status !== "cancelled") return;
      if (endings.has(s.processing_id)) return;
      const ending: Ending = { status: s.status, code: s.error?.code, at };
      endings.set(s.processing_id, ending);
      waiters.get(s.processing_id)?.(ending);
    },
  });
  const settle = (e: Ending) => {
    if (e.status === "completed") return e.at;
    throw new Error(`job ${e.status}: ${e.code ?? "no code"}`);
  };
  return {
    async ended(id, timeoutMs) {
      const known = endings.get(id);
      if (known) return settle(known);
      let timer: NodeJS.Timeout | undefined;
      try {
        const e = await new Promise<Ending>((resolve, reject) => {
          waiters.set(id, resolve);
          timer = setTimeout(() => reject(new Error(`job not ended within ${timeoutMs} ms`)), timeoutMs);
        });
        return settle(e);
      } finally {
        clearTimeout(timer);
        waiters.delete(id);
      }
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
