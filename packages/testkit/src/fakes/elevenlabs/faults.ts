import type { ConversationStatus } from "./wire.ts";

/** Which route of one conversation a fault hits. */
export type FaultEndpoint = "conversation" | "audio";

/**
 * A misbehaviour injected for one conversation. Each is used up by the next `times` matching requests
 * (default 1; `Infinity` for ever), in the order they were added; `failed` lasts for ever.
 */
export type Fault =
  | { kind: "notFound"; times?: number; endpoint?: FaultEndpoint }
  | { kind: "rateLimited"; retryAfterSecs: number; times?: number; endpoint?: FaultEndpoint }
  | { kind: "serverError"; status?: 500 | 502 | 503; times?: number; endpoint?: FaultEndpoint }
  /** Waits `delayMs` before answering normally (a client's timeout fires first if shorter). */
  | { kind: "slow"; delayMs: number; times?: number; endpoint?: FaultEndpoint }
  /** The next `polls` GETs show the conversation as still running (analysis null), then as it is. */
  | { kind: "processing"; polls: number; status?: Exclude<ConversationStatus, "done" | "failed"> }
  /** The conversation's status is `failed` from now on. */
  | { kind: "failed" };

/** A fault that is used up by requests (all but `failed`). */
export type QueuedFault = Exclude<Fault, { kind: "failed" }>;

interface Pending {
  fault: QueuedFault;
  left: number;
  endpoint: FaultEndpoint;
}

/** Per-conversation fault queues. */
export class FaultBook {
  readonly #queues = new Map<string, Pending[]>();
  readonly #failed = new Set<string>();

  add(conversationId: string, fault: Fault): void {
    if (fault.kind === "failed") {
      this.#failed.add(conversationId);
      return;
    }
    const left = fault.kind === "processing" ? fault.polls : (fault.times ?? 1);
    const endpoint = "endpoint" in fault && fault.endpoint ? fault.endpoint : "conversation";
    const queue = this.#queues.get(conversationId) ?? [];
    queue.push({ fault, left, endpoint });
    this.#queues.set(conversationId, queue);
  }

  /** True once a `failed` fault was added for the conversation. */
  failed(conversationId: string): boolean {
    return this.#failed.has(conversationId);
  }

  /** The fault that applies to this request, used up by one. */
  take(conversationId: string, endpoint: FaultEndpoint): QueuedFault | undefined {
    const queue = this.#queues.get(conversationId);
    const at = queue?.findIndex((p) => p.endpoint === endpoint && p.left > 0) ?? -1;
    if (!queue || at < 0) return undefined;
    const pending = queue[at]!;
    pending.left -= 1;
    if (pending.left <= 0) queue.splice(at, 1);
    return pending.fault;
  }
}

/**
 * A misbehaviour of the list route (`failNextList`), used up by the next `times` list requests (default 1;
 * `Infinity` for ever), in the order they were added.
 */
export type ListFault =
  | { kind: "rateLimited"; retryAfterSecs: number; times?: number }
  | { kind: "serverError"; status?: 500 | 502 | 503; times?: number }
  | { kind: "slow"; delayMs: number; times?: number }
  /**
   * Answers 307 to `location`. A client must not follow it: fetch drops only `Authorization` on a
   * cross-origin redirect, so it would hand `xi-api-key` to whatever host `location` names.
   */
  | { kind: "redirect"; location: string; times?: number };

/** The list route's fault queue. */
export class ListFaultQueue {
  readonly #pending: { fault: ListFault; left: number }[] = [];

  add(fault: ListFault): void {
    this.#pending.push({ fault, left: fault.times ?? 1 });
  }

  /** The fault that applies to this list request, used up by one. */
  take(): ListFault | undefined {
    const first = this.#pending[0];
    if (!first) return undefined;
    first.left -= 1;
    if (first.left <= 0) this.#pending.shift();
    return first.fault;
  }
}
