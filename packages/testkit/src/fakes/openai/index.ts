/** A fake OpenAI (Chat Completions + Structured Outputs) on a local port, speaking the real wire format. */

export { defaultResponder, type Source, sourcesOf } from "./default-responder.ts";
export { type Fault, type FaultOptions, faults, hallucinatedTurn, withHallucinatedTurns } from "./faults.ts";
export { type JsonSchema, strictSchemaProblems, validateJson } from "./json-schema.ts";
export {
  type FakeOpenAI,
  type LoggedRequest,
  RawReply,
  type RejectedRequest,
  type Responder,
  raw,
  startFakeOpenAI,
} from "./server.ts";
export type { ChatCompletionBody, ChatRequest, WireMessage } from "./wire.ts";
