import { Kafka, type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "./logger.ts";

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  logger: Logger;
}

/**
 * A kafkajs client whose own logs (WARN and up) go through our logger. Retries are bounded (~30 s) so a
 * broker outage surfaces as an error instead of hanging a request for ever.
 */
export function createKafka(opts: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: [...opts.brokers],
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => routeKafkaLog(opts.logger, entry),
  });
}

/** kafkajs entries carry ids and coordinates, never message payloads, so they can be passed on whole. */
function routeKafkaLog(logger: Logger, { namespace, level, log }: LogEntry): void {
  const { message, timestamp: _t, logger: _l, ...rest } = log;
  const obj = { source: "kafkajs", namespace, ...rest };
  if (isNoise(namespace, message)) logger.debug(obj, message);
  else if (level === logLevel.ERROR) logger.error(obj, message);
  else if (level === logLevel.WARN) logger.warn(obj, message);
  else if (level === logLevel.INFO) logger.info(obj, message);
  else logger.debug(obj, message);
}

/**
 * kafkajs logs every protocol error response at ERROR from its connection layer (a heartbeat during a
 * rebalance, a leader not elected yet) although the caller retries it; what really fails reaches us as a
 * thrown error or a crash event. And our producers bound their retries on purpose (see producer.ts).
 */
function isNoise(namespace: string, message: string): boolean {
  return (
    (namespace === "Connection" && message.startsWith("Response ")) ||
    message.startsWith("Limiting retries for the idempotent producer")
  );
}
