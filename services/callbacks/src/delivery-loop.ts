import { setTimeout as sleep } from "node:timers/promises";
import type { SecretBox } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import type { GuardedAgents } from "@postprocess/worker";
import type { ClaimedDelivery, DeliveryStore } from "./delivery-store.ts";
import { postCallback } from "./post-callback.ts";
import { nextAttemptAt, type RetryPolicy } from "./retry-schedule.ts";
import { signedHeaders } from "./signature.ts";

/** What the delivery loop is built from. */
export interface DeliveryLoopDeps {
  store: DeliveryStore;
  /** Opens the endpoints' sealed `whsec_` secrets. */
  secrets: SecretBox;
  /** The clock: due times, the retry window and `webhook-timestamp` read it, so tests can move it. */
  now: () => Date;
  log: Logger;
  retry: RetryPolicy;
  /** Longest wait for a receiver's response. */
  timeoutMs: number;
  /** HTTP agents applying the outbound policy (private networks refused unless configured). */
  agents: GuardedAgents;
  /** Wait between rounds that found nothing to do. */
  pollIntervalMs: number;
  /** Deliveries claimed (and posted concurrently) per round. */
  batchSize: number;
}

/** The loop that posts due callbacks; any number of replicas may run it against one database. */
export interface DeliveryLoop {
  /** One round: claims the due deliveries and makes one attempt at each; resolves with how many. */
  runOnce(): Promise<number>;
  /** Runs rounds until `stop`; a full round is followed at once by the next, an idle one after the poll interval. */
  start(): void;
  /** Ends the loop after the attempts in flight (each bounded by the POST timeout). */
  stop(): Promise<void>;
}

const MAX_ERROR_LENGTH = 500;

export function createDeliveryLoop(deps: DeliveryLoopDeps): DeliveryLoop {
  const { store, log } = deps;
  // Longer than any attempt can take, so a claim is never taken over while its POST may still succeed.
  const leaseMs = 2 * deps.timeoutMs + 30_000;
  const stopping = new AbortController();
  let running: Promise<void> | undefined;

  async function attempt(d: ClaimedDelivery): Promise<void> {
    const fields = { deliveryId: d.id, processingId: d.processingId, accountId: d.accountId };
    if (!d.endpoint?.enabled) {
      // The account removed or paused its endpoint: nobody is left to call, now or later.
      const reason = d.endpoint ? "callback endpoint disabled" : "callback endpoint deleted";
      await store.abandon(d, reason);
      log.warn({ ...fields, reason }, "callback abandoned");
      return;
    }
    const attemptedAt = deps.now();
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const secret = deps.secrets.open(d.endpoint.sealedSecret);
      const timestamp = Math.floor(attemptedAt.getTime() / 1000);
      const headers = signedHeaders(secret, d.id, timestamp, d.body);
      ({ statusCode } = await postCallback(new URL(d.endpoint.url), d.body, headers, deps));
      if (statusCode < 200 || statusCode > 299) error = `HTTP ${statusCode}`;
    } catch (err) {
      error = describe(err);
    }
    const durationMs = Math.round(performance.now() - started);
    const attemptNo = d.attempts + 1;
    const next = error ? nextAttemptAt(attemptNo, deps.now(), d.createdAt, deps.retry) : null;
    const status = !error ? "succeeded" : next ? "pending" : "failed";
    const recorded = await store.recordAttempt(d, {
      attemptedAt,
      durationMs,
      url: d.endpoint.url,
      statusCode,
      error,
      status,
      nextAttemptAt: next,
    });
    // Host only: a receiver's URL may carry a token in its path or query.
    const host = URL.parse(d.endpoint.url)?.host ?? "(invalid URL)";
    const outcome = {
      ...fields,
      attempt: attemptNo,
      host,
      statusCode,
      error,
      durationMs,
      status,
      nextAttemptAt: next,
    };
    if (!recorded) log.warn(outcome, "callback attempt already recorded by another replica");
    else if (status === "succeeded") log.info(outcome, "callback delivered");
    else if (status === "pending") log.warn(outcome, "callback attempt failed, will retry");
    else log.error(outcome, "callback failed for good");
  }

  async function runOnce(): Promise<number> {
    const now = deps.now();
    const claimed = await store.claimDue(now, new Date(now.getTime() + leaseMs), deps.batchSize);
    await Promise.all(
      claimed.map((d) =>
        attempt(d).catch((err: unknown) =>
          // The database failed mid-record: the lease ends and the delivery is claimed again.
          log.error({ deliveryId: d.id, err }, "callback attempt could not be recorded"),
        ),
      ),
    );
    return claimed.length;
  }

  async function loop(): Promise<void> {
    while (!stopping.signal.aborted) {
      let handled = 0;
      try {
        handled = await runOnce();
      } catch (err) {
        log.error({ err }, "claiming due callbacks failed");
      }
      if (handled < deps.batchSize) {
        await sleep(deps.pollIntervalMs, undefined, { signal: stopping.signal }).catch(() => {});
      }
    }
  }

  return {
    runOnce,
    start() {
      running ??= loop();
    },
    async stop() {
      stopping.abort();
      await running;
    },
  };
}

/** An error as one short line for `last_error` (never a stack, never a header). */
function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return (e.message || e.code || String(err)).slice(0, MAX_ERROR_LENGTH);
}
