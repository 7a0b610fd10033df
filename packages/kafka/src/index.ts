/** The Kafka runtime every service uses: typed producer and consumer, retries, retry topics, dead letters. */

export {
  type BatchConsumerOptions,
  type BatchEvent,
  type BatchHandler,
  type BatchMeta,
  type BatchResult,
  createBatchConsumer,
} from "./batch-consumer.ts";
export {
  bootstrapTopics,
  dlqLayout,
  type EnsureTopicsOptions,
  type EnsureTopicsResult,
  ensureTopics,
  retryLayout,
  topicConfigs,
} from "./bootstrap.ts";
export { type Codec, type CodecOptions, type CodecTopic, createCodec } from "./codec.ts";
export { type Consumer, type ConsumerOptions, createConsumer } from "./consumer.ts";
export { failureTopics } from "./dead-letter.ts";
export {
  dispositionOf,
  NonRetriableError,
  PoisonMessageError,
  RetriableError,
  RetryAfterError,
  SchemaNotRegisteredError,
} from "./errors.ts";
export type { Handler, HandlerContext, Handlers } from "./handler.ts";
export { H as headerNames, type Headers } from "./headers.ts";
export { createKafka, type KafkaClientOptions } from "./kafka-client.ts";
export { consumerLag } from "./lag.ts";
export { createJsonLogger, type Logger, type LogLevel, silentLogger, withBindings } from "./logger.ts";
export {
  type BatchItem,
  createProducer,
  type Producer,
  type ProducerOptions,
  type SendOptions,
  type Sent,
} from "./producer.ts";
export { retryAfterMs } from "./retry-after.ts";
export { backoffMs, defaultRetryPolicy, type RetryPolicy, retryDelayMs } from "./retry-policy.ts";
export { type Periodic, runEvery } from "./run-every.ts";
export { installSignalHandlers, type Stoppable } from "./signals.ts";
export { childTraceparent, createTraceparent, parseTraceparent, type TraceParent } from "./traceparent.ts";
