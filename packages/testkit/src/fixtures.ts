import type { Admin, Kafka } from "kafkajs";
import type * as Minio from "minio";
import { test as base } from "vitest";
import { createTopic, kafkaClient } from "./kafka.ts";
import { freshMailbox } from "./mail.ts";
import { createDatabase } from "./postgres.ts";
import { createBucket, s3Client } from "./s3.ts";
import { type StackEnv, stackEnv } from "./stack-env.ts";

interface StackFixtures {
  env: StackEnv;
  kafka: Kafka;
  admin: Admin;
  /** A fresh single-partition topic, deleted after the test. */
  topic: string;
  s3: Minio.Client;
  /** A fresh bucket, emptied and removed after the test. */
  bucket: string;
  /** URL of a fresh empty database, dropped after the test. */
  databaseUrl: string;
  /** A fresh recipient address. */
  mailbox: string;
}

/** `test` with per-test resources on the real stack; each fixture is created only when a test asks for it. */
export const test = base.extend<StackFixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures must destructure their dependencies
  env: async ({}, use) => use(await stackEnv()),
  kafka: async ({ env }, use) => use(kafkaClient(env)),
  admin: async ({ kafka }, use) => {
    const admin = kafka.admin();
    await admin.connect();
    await use(admin);
    await admin.disconnect();
  },
  topic: async ({ admin }, use) => {
    const topic = await createTopic(admin);
    await use(topic);
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  },
  s3: async ({ env }, use) => use(s3Client(env)),
  bucket: async ({ s3 }, use) => {
    const b = await createBucket(s3);
    await use(b.bucket);
    await b.remove();
  },
  databaseUrl: async ({ env }, use) => {
    const db = await createDatabase(env);
    await use(db.url);
    await db.drop();
  },
  // biome-ignore lint/correctness/noEmptyPattern: vitest fixtures must destructure their dependencies
  mailbox: async ({}, use) => use(freshMailbox()),
});
