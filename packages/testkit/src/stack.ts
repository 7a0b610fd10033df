/** The test kit's helpers without vitest: for benchmark scripts and the demo, which run outside a test. */

export { createAccountWithKey, newAdminKey } from "./admin.ts";
export { createTopic, deleteTopicsWithPrefix, kafkaClient, readMessages } from "./kafka.ts";
export { freshMailbox, inbox, purgeAllMail, type ReceivedMail, waitForMail } from "./mail.ts";
export { pipelineServices, type RunningPipeline, startPipeline } from "./pipeline.ts";
export { createDatabase } from "./postgres.ts";
export { createBucket, s3Client } from "./s3.ts";
export { freePort, type ServiceProcess, startService } from "./service-process.ts";
export { type StackEnv, stackEnv } from "./stack-env.ts";
export { uniqueName } from "./unique.ts";
export { waitFor } from "./wait-for.ts";
