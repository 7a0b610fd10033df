/** The typed topic catalog: every topic, its Avro schema, key function and TypeScript type. */

export type { AvroRecord, AvroType, Infer } from "./avro.ts";
export {
  allTopics,
  type Catalog,
  type EventOf,
  subjectOf,
  type TopicDef,
  type TopicKey,
  type TopicLayout,
  type TopicName,
  topics,
} from "./catalog.ts";
export { derivedEventId } from "./derived-event-id.ts";
export type { JobSettingsSnapshot } from "./events/job-settings.ts";
export { fileTypes, jobStatuses, sentiments, steps, terminalStatuses } from "./events/shared.ts";
export { newEventId } from "./ids.ts";
export { COMPATIBILITY_MODE, checkSchemas, type RegisterResult, registerSchemas } from "./register.ts";
