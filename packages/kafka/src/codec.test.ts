import { topics } from "@postprocess/contracts";
import { test, uniqueName } from "@postprocess/testkit";
import { expect } from "vitest";
import { createCodec } from "./codec.ts";
import { PoisonMessageError, RetriableError, SchemaNotRegisteredError } from "./errors.ts";
import { cancelEvent } from "./testing/helpers.ts";

const def = topics.cancelRequested;

test("encode refuses an unregistered subject outside dev, registers it in dev, and decodes back", async ({
  env,
}) => {
  const topic = { name: uniqueName("codec"), schema: def.schema };
  const event = cancelEvent({ reason: "customer asked" });

  const strict = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  await expect(strict.encode(topic, event)).rejects.toBeInstanceOf(SchemaNotRegisteredError);

  const dev = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, autoRegister: true });
  const bytes = await dev.encode(topic, event);
  expect(bytes[0]).toBe(0);
  // Now registered, the strict codec finds it too (its failed lookup was not cached).
  expect((await strict.encode(topic, event)).equals(bytes)).toBe(true);
  expect({ ...((await strict.decode(bytes, def.schema)) as object) }).toEqual(event);
});

test("decode: unreadable bytes are poison, an unreachable registry is retriable", async ({ env }) => {
  const codec = createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL });
  await expect(codec.decode(null)).rejects.toBeInstanceOf(PoisonMessageError);
  await expect(codec.decode(Buffer.from("plain text"))).rejects.toBeInstanceOf(PoisonMessageError);
  const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]);
  await expect(codec.decode(unknownId)).rejects.toBeInstanceOf(PoisonMessageError);

  // A registered schema id but a body that is not Avro of it.
  const topic = { name: uniqueName("codec"), schema: def.schema };
  const good = await createCodec({ registryUrl: env.SCHEMA_REGISTRY_URL, autoRegister: true }).encode(
    topic,
    cancelEvent(),
  );
  const truncated = good.subarray(0, 8);
  await expect(codec.decode(truncated, def.schema)).rejects.toBeInstanceOf(PoisonMessageError);
  // A valid record of another schema does not resolve into this topic's type.
  await expect(codec.decode(good, topics.emailSent.schema)).rejects.toBeInstanceOf(PoisonMessageError);

  const offline = createCodec({ registryUrl: "http://127.0.0.1:9/apis/ccompat/v7" });
  const err = await offline.decode(good).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RetriableError);
  expect((err as Error).cause).toBeDefined();
});
