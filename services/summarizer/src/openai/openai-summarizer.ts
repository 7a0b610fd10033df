import { StepError } from "@postprocess/worker";
import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { localModel, summarizeLocally } from "../local/local-summarizer.ts";
import type { SummarizeRequest, SummarizeResult, Summarizer, Warning } from "../summarizer.ts";
import { groundItems, type SummaryDraft, summaryDraftSchema } from "../summary.ts";
import { estimateTokens, packLines, type TurnLine, turnLines } from "./chunks.ts";
import { InvalidAnswerError, isInvalidAnswer, mapOpenAIError } from "./errors.ts";
import { dataLine, mergeMessage, type PromptMode, systemPrompt, transcriptMessage } from "./prompts.ts";
import { callSummaryFormat } from "./response-format.ts";

/** Where the OpenAI-compatible API is and how long one request may take. */
export interface OpenAIClientOptions {
  apiKey: string;
  baseURL?: string | undefined;
  timeoutMs: number;
}

/** OpenAI's own endpoint, when no compatible one is configured. */
export const defaultBaseURL = "https://api.openai.com/v1";

/**
 * An SDK client that never retries on its own: the Kafka runtime retries the step (and says so on the job).
 * Options are explicit, so the SDK takes no key, endpoint or org from the environment, and its log level
 * is pinned to warnings: OPENAI_LOG=debug would print request bodies, which hold transcripts.
 */
export function createOpenAIClient(o: OpenAIClientOptions): OpenAI {
  return new OpenAI({
    apiKey: o.apiKey,
    baseURL: o.baseURL ?? defaultBaseURL,
    organization: null,
    project: null,
    timeout: o.timeoutMs,
    maxRetries: 0,
    logLevel: "warn",
  });
}

/** Tokens a request needs besides its data: the response schema and the message framing. */
const overheadTokens = estimateTokens(JSON.stringify(callSummaryFormat)) + 64;

/** A summary of consecutive turns `from`..`to` (a chunk, or several merged). */
interface PartSummary {
  from: number;
  to: number;
  draft: SummaryDraft;
}

/**
 * Summaries with OpenAI Structured Outputs (`chat.completions.parse` + `zodResponseFormat`). The transcript
 * goes only in the user message, as fenced JSON data; the system prompt and the schema are ours. A
 * transcript over the context budget is summarised in chunks of consecutive turns (map), whose summaries
 * are then merged (reduce) — never truncated. An answer that is not valid JSON for the schema is asked for
 * once more, then fails as `SUMMARY_INVALID`.
 */
export function createOpenAISummarizer(opts: {
  client: OpenAI;
  /** The model's context window in tokens (prompt + answer), as SUMMARIZER_CONTEXT_TOKENS sets it. */
  contextTokens: number;
  timeoutMs: number;
}): Summarizer {
  return {
    async summarize(req) {
      const run = new SummaryRun(opts.client, opts.contextTokens, opts.timeoutMs, req);
      return run.execute();
    },
  };
}

/** One summarisation: its calls share the settings and add up their token usage. */
class SummaryRun {
  private readonly client: OpenAI;
  private readonly contextTokens: number;
  private readonly timeoutMs: number;
  private readonly req: SummarizeRequest;
  private usage = { prompt_tokens: 0, completion_tokens: 0 };
  private model: string;
  private dropped = 0;

  constructor(client: OpenAI, contextTokens: number, timeoutMs: number, req: SummarizeRequest) {
    this.client = client;
    this.contextTokens = contextTokens;
    this.timeoutMs = timeoutMs;
    this.req = req;
    this.model = req.settings.openaiModel;
  }

  /** Tokens left for data in one request of `mode`, once the answer, the system prompt and the schema are counted. */
  private dataBudget(mode: PromptMode): number {
    const s = this.req.settings;
    const budget =
      this.contextTokens -
      s.openaiMaxTokens -
      estimateTokens(systemPrompt(mode, s.customSystemPrompt)) -
      overheadTokens;
    if (budget < 100)
      throw new StepError(
        "INPUT_INVALID",
        `SUMMARIZER_CONTEXT_TOKENS (${this.contextTokens}) leaves no room for the transcript next to the account's openai_max_tokens (${s.openaiMaxTokens}) and the prompt`,
      );
    return budget;
  }

  async execute(): Promise<SummarizeResult> {
    const { transcript, log } = this.req;
    const wholeBudget = this.dataBudget("whole");
    const all = turnLines(transcript, Number.POSITIVE_INFINITY);
    const allTokens = all.reduce((n, l) => n + l.tokens, 0);
    // Nothing was said: no model call to pay for.
    if (all.length === 0)
      return {
        draft: summarizeLocally(transcript),
        model: localModel,
        usage: null,
        dropped: 0,
        warnings: [],
      };
    let draft: SummaryDraft;
    const warnings: Warning[] = [];
    if (allTokens <= wholeBudget) {
      draft = await this.ask("whole", transcriptMessage(all.map((l) => l.line)));
    } else {
      const chunks = packLines(turnLines(transcript, this.dataBudget("part")), this.dataBudget("part"));
      log.info(
        { chunks: chunks.length, estimatedTokens: allTokens },
        "transcript over the context budget; summarising in chunks",
      );
      const partials = await this.mapChunks(chunks);
      draft = (await this.reduce(partials)).draft;
      warnings.push({
        code: "SUMMARIZED_IN_CHUNKS",
        message: `the transcript (about ${allTokens} tokens) exceeds the ${this.contextTokens}-token context budget; it was summarised in ${chunks.length} chunks and merged`,
      });
    }
    return { draft, model: this.model, usage: this.usage, dropped: this.dropped, warnings };
  }

  private async mapChunks(chunks: TurnLine[][]): Promise<PartSummary[]> {
    const partials: PartSummary[] = [];
    for (const [k, lines] of chunks.entries()) {
      if (k > 0) await this.req.checkCancelled();
      const from = lines[0]!.index;
      const to = lines.at(-1)!.index;
      const message = transcriptMessage(
        lines.map((l) => l.line),
        { n: k + 1, of: chunks.length, from, to },
      );
      partials.push({ from, to, draft: this.grounded(await this.ask("part", message)) });
    }
    return partials;
  }

  /** Merges part summaries into one; when they do not fit one request, merges them in rounds. */
  private async reduce(partials: PartSummary[]): Promise<PartSummary> {
    const budget = this.dataBudget("merge");
    let level = partials;
    while (level.length > 1) {
      const lines = level.map((p, k) => ({ p, line: partialLine(p, k + 1), tokens: 0 }));
      for (const l of lines) l.tokens = estimateTokens(l.line) + 1;
      const groups = packLines(lines, budget);
      if (groups.every((g) => g.length === 1))
        throw new StepError(
          "INPUT_INVALID",
          `SUMMARIZER_CONTEXT_TOKENS (${this.contextTokens}) is too small to merge two part summaries`,
        );
      const next: PartSummary[] = [];
      for (const g of groups) {
        if (g.length === 1) {
          next.push(g[0]!.p);
          continue;
        }
        await this.req.checkCancelled();
        const draft = await this.ask("merge", mergeMessage(g.map((l) => l.line)));
        next.push({ from: g[0]!.p.from, to: g.at(-1)!.p.to, draft: this.grounded(draft) });
      }
      level = next;
    }
    return level[0]!;
  }

  /** A part summary without items citing turns the transcript lacks (so a merge cannot spread them). */
  private grounded(draft: SummaryDraft): SummaryDraft {
    const strip = (items: SummaryDraft["key_points"]) => {
      const g = groundItems(items, this.req.transcript);
      this.dropped += g.dropped;
      return g.items.map(({ text, turns }) => ({ text, turns }));
    };
    return { ...draft, key_points: strip(draft.key_points), action_items: strip(draft.action_items) };
  }

  /** One Structured Outputs request; an unusable answer is asked for once more. */
  private async ask(mode: PromptMode, user: string): Promise<SummaryDraft> {
    const s = this.req.settings;
    const messages: ChatCompletionMessageParam[] = [
      { role: "system", content: systemPrompt(mode, s.customSystemPrompt) },
      { role: "user", content: user },
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        const completion = await this.client.chat.completions.parse(
          {
            model: s.openaiModel,
            messages,
            response_format: callSummaryFormat,
            max_completion_tokens: s.openaiMaxTokens,
          },
          { signal: this.req.signal },
        );
        this.model = completion.model || this.model;
        this.usage.prompt_tokens += completion.usage?.prompt_tokens ?? 0;
        this.usage.completion_tokens += completion.usage?.completion_tokens ?? 0;
        const message = completion.choices[0]?.message;
        if (message?.refusal)
          throw new StepError("SUMMARY_REFUSED", "the model refused to summarise the transcript");
        if (!message?.parsed) throw new InvalidAnswerError("the answer had no content");
        const draft = summaryDraftSchema.safeParse(message.parsed);
        if (!draft.success)
          throw new InvalidAnswerError("the answer broke the summary's limits (empty text)");
        return draft.data;
      } catch (err) {
        if (isInvalidAnswer(err) && attempt < 2) {
          this.req.log.warn({ mode, attempt }, "unusable answer from the model; asking once more");
          continue;
        }
        throw mapOpenAIError(err, { timeoutMs: this.timeoutMs, maxTokens: s.openaiMaxTokens });
      }
    }
  }
}

/** A part summary as one data line of the merge request. */
function partialLine(p: PartSummary, n: number): string {
  return dataLine({ part: n, turn_range: `${p.from}-${p.to}`, ...p.draft });
}
