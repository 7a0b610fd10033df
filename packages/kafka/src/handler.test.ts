import type { EventOf } from "@postprocess/contracts";
import type { Kafka } from "kafkajs";
import { expectTypeOf, test } from "vitest";
import type { Codec } from "./codec.ts";
import { createConsumer } from "./consumer.ts";
import type { Handler, HandlerContext, Handlers } from "./handler.ts";
import { silentLogger } from "./logger.ts";
import { createProducer } from "./producer.ts";

/**
 * Compile-time contract of the typed API: `tsc` checks this file (every @ts-expect-error must be an error);
 * the function is never called, so no broker is needed.
 */
function typeContract(kafka: Kafka, codec: Codec) {
  // The subscription is the handlers' keys, and each handler's event type follows from its key.
  createConsumer(kafka, codec, {
    groupId: "g",
    handlers: {
      cancelRequested: async (event, ctx) => {
        expectTypeOf(event).toEqualTypeOf<EventOf<"cancelRequested">>();
        expectTypeOf(event.reason).toEqualTypeOf<string | null>();
        expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>();
        expectTypeOf(ctx.attempt).toBeNumber();
      },
      emailSent: async (event) => {
        expectTypeOf(event.recipient).toBeString();
        // @ts-expect-error a field of another topic's event
        void event.reason;
      },
    },
  });

  // A service declares the topics it owns; leaving one without a handler does not compile.
  // @ts-expect-error emailSent is declared but has no handler
  const _missing: Handlers<"cancelRequested" | "emailSent"> = { cancelRequested: async () => {} };

  createConsumer(kafka, codec, {
    groupId: "g",
    // @ts-expect-error not a catalog topic
    handlers: { notATopic: async () => {} },
  });

  // Deps reach handlers through the context, typed.
  const db = { query: async (_sql: string) => 1 };
  createConsumer(kafka, codec, {
    groupId: "g",
    deps: { db, logger: silentLogger },
    handlers: {
      cancelRequested: async (_event, ctx) => {
        expectTypeOf(ctx.db).toEqualTypeOf(db);
        expectTypeOf(ctx).toExtend<HandlerContext>();
      },
    },
  });

  // A handler written against deps cannot be wired without them…
  const needsDb: Handler<"cancelRequested", { db: typeof db }> = async (_e, ctx) =>
    void (await ctx.db.query("x"));
  // @ts-expect-error deps missing
  createConsumer(kafka, codec, { groupId: "g", handlers: { cancelRequested: needsDb } });
  createConsumer(kafka, codec, { groupId: "g", deps: { db }, handlers: { cancelRequested: needsDb } });

  // …and deps may not shadow the context's own fields.
  createConsumer(kafka, codec, {
    groupId: "g",
    // @ts-expect-error `log` belongs to the context
    deps: { log: silentLogger },
    handlers: { cancelRequested: async () => {} },
  });

  // The producer admits only the topic's own event type.
  const producer = createProducer(kafka, codec);
  const cancel = {} as EventOf<"cancelRequested">;
  void producer.send("cancelRequested", cancel);
  // @ts-expect-error an event of another topic
  void producer.send("emailSent", cancel);
  void producer.sendBatch([{ topic: "cancelRequested", event: cancel }]);
  // @ts-expect-error a batch item whose event does not match its topic
  void producer.sendBatch([{ topic: "summaryGenerated", event: cancel }]);
}

test("the typed API's compile-time contract holds (checked by tsc)", () => {
  expectTypeOf(typeContract).toBeFunction();
});
