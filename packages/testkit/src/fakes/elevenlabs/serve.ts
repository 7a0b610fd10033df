/**
 * Runs the fake ElevenLabs API with the demo fixtures, for the demo and for trying the extractor by hand:
 *
 *   PORT=18095 FAKE_ELEVENLABS_API_KEY=demo-key node packages/testkit/src/fakes/elevenlabs/serve.ts
 *
 * PORT defaults to 0 (a free port); the key defaults to `ELEVENLABS_API_KEY`, then `fake-elevenlabs-key`.
 * Prints one JSON line with the URL and the conversation ids, then serves until SIGTERM/SIGINT.
 */
import { demoFixtures } from "./fixtures.ts";
import { startFakeElevenLabs } from "./server.ts";

const apiKey = process.env.FAKE_ELEVENLABS_API_KEY || process.env.ELEVENLABS_API_KEY || "fake-elevenlabs-key";
const fake = await startFakeElevenLabs({
  apiKey,
  port: Number(process.env.PORT ?? 0),
  host: process.env.HOST ?? "127.0.0.1",
});
const fixtures = demoFixtures();
for (const f of fixtures) fake.add(f.conversation, { audioBytes: f.audioBytes });
process.stdout.write(
  `${JSON.stringify({
    msg: "fake ElevenLabs listening",
    url: fake.url,
    conversations: fixtures.map((f) => f.conversation.conversation_id),
  })}\n`,
);

let stopping = false;
const stop = () => {
  if (stopping) process.exit(1);
  stopping = true;
  void fake.close().then(() => process.exit(0));
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
