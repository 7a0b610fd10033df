/** A local ElevenLabs API for tests and the demo: the real wire format, fixtures, and injectable faults. */
export { fakeMp3, fakeMp3Stream, MP3_FRAME_BYTES, MP3_FRAME_HEADER } from "./audio.ts";
export type { Fault, FaultEndpoint, ListFault } from "./faults.ts";
export {
  demoFixtures,
  fixtureIds,
  longConversation,
  noAudioConversation,
  nonLatinConversation,
  realisticConversation,
} from "./fixtures.ts";
export {
  type FakeElevenLabs,
  type FakeElevenLabsOptions,
  type RecordedRequest,
  startFakeElevenLabs,
} from "./server.ts";
export {
  audioWebhookStream,
  initiationFailureWebhook,
  sendWebhook,
  signWebhook,
  signWebhookStream,
  transcriptionWebhook,
  unixNow,
} from "./webhooks.ts";
export type {
  ConversationStatus,
  WireConversation,
  WireConversationSummary,
  WireConversationsPage,
  WireToolCall,
  WireToolResult,
  WireTranscriptItem,
} from "./wire.ts";
