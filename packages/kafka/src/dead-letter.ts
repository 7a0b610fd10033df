import type { KafkaMessage, Message, Producer } from "kafkajs";
import { H, type Headers, ownHeaders } from "./headers.ts";

/** Where a message was first produced: a retry or dead letter always points back at it. */
export interface Origin {
  topic: string;
  partition: number;
  offset: string;
}

/** Names of a group's failure topics: `<prefix><group>.retry` and `<prefix><group>.dlq`. */
export function failureTopics(topicPrefix: string, groupId: string): { retry: string; dlq: string } {
  return { retry: `${topicPrefix}${groupId}.retry`, dlq: `${topicPrefix}${groupId}.dlq` };
}

/** Error messages can be long (stack-like remote bodies); headers should stay small. */
const maxErrorMessage = 1000;

interface Failure {
  message: KafkaMessage;
  headers: Headers;
  origin: Origin;
  error: Error;
  /** Handler attempts made so far, in place and through the retry topic. */
  attempts: number;
}

/**
 * The original record (same key, same value bytes, its own headers) plus the failure's headers. Bytes are
 * copied, never re-encoded: an undecodable message must reach the DLQ exactly as it was.
 */
function failureRecord(f: Failure, extra: Headers): Message {
  return {
    key: f.message.key,
    value: f.message.value,
    headers: {
      ...ownHeaders(f.headers),
      [H.originalTopic]: f.origin.topic,
      [H.originalPartition]: String(f.origin.partition),
      [H.originalOffset]: f.origin.offset,
      [H.errorClass]: f.error.name,
      [H.errorMessage]: f.error.message.slice(0, maxErrorMessage),
      [H.failedAt]: new Date().toISOString(),
      ...extra,
    },
  };
}

/** Publishes a failed message to the retry topic, to be handled again no earlier than `delayMs` from now. */
export async function publishRetry(
  producer: Producer,
  topic: string,
  f: Failure & { round: number; delayMs: number },
): Promise<void> {
  const record = failureRecord(f, {
    [H.attempt]: String(f.attempts),
    [H.retryRound]: String(f.round),
    [H.retryNotBefore]: String(Date.now() + f.delayMs),
  });
  await producer.send({ topic, acks: -1, messages: [record] });
}

/** Publishes a message that will not be retried to the dead-letter topic. */
export async function publishDeadLetter(producer: Producer, topic: string, f: Failure): Promise<void> {
  await producer.send({
    topic,
    acks: -1,
    messages: [failureRecord(f, { [H.attempts]: String(f.attempts) })],
  });
}
