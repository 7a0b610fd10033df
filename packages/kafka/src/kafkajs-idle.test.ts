import { expect } from "vitest";
import { captureLogger, test, testKafka } from "./testing/helpers.ts";

// patches/kafkajs@2.2.4.patch: unpatched, every connection's request queue re-armed a 1 ms timer forever
// (kafkajs#1556/#1704), which cost each idle service about 2.5 % of a core and showed on Node 24 as
// TimeoutNegativeWarning. This fails if the patch is lost, e.g. on a kafkajs upgrade that still has the bug.
test("an idle connected client arms no timers: the request queue does not spin", async ({ env }) => {
  const admin = testKafka(env, captureLogger().logger).admin();
  await admin.connect();
  try {
    await admin.listTopics(); // a fulfilled request: where the unpatched queue started its loop
    const original = globalThis.setTimeout;
    let armed = 0;
    globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => {
      armed += 1;
      return original(...args);
    }) as typeof setTimeout;
    try {
      await new Promise((resolve) => original(resolve, 300));
    } finally {
      globalThis.setTimeout = original;
    }
    // Unpatched: one per millisecond (about 300 here). Patched: none, or a stray one from elsewhere.
    expect(armed).toBeLessThan(20);
  } finally {
    await admin.disconnect();
  }
});
