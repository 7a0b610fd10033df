import type { Logger } from "@postprocess/kafka";
import type { JobSettings, Transcript } from "@postprocess/worker";
import type { SummaryDraft } from "./summary.ts";

/** A warning the step adds to the job (it completes, degraded or noteworthy). */
export interface Warning {
  code: string;
  message: string;
}

/** What a summarizer gets: the transcript (untrusted), the account's settings and the step's controls. */
export interface SummarizeRequest {
  transcript: Transcript;
  settings: JobSettings;
  /** Aborted when the worker shuts down. */
  signal: AbortSignal;
  /** Throws when the job was cancelled meanwhile; called between chunks. */
  checkCancelled(): Promise<void>;
  log: Logger;
}

/** A summarizer's answer before grounding: the draft, which model wrote it, and what it cost. */
export interface SummarizeResult {
  draft: SummaryDraft;
  model: string;
  /** Summed over every call (chunks and merges); null when no model was called. */
  usage: { prompt_tokens: number; completion_tokens: number } | null;
  /** Items dropped on the way for citing turns that do not exist (chunk summaries before the merge). */
  dropped: number;
  warnings: Warning[];
}

/** Turns a transcript into a summary draft: OpenAI with a key, the local extractive summarizer without. */
export interface Summarizer {
  summarize(req: SummarizeRequest): Promise<SummarizeResult>;
}
