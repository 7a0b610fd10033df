import type { MikroORM } from "@mikro-orm/postgresql";
import type { SecretBox } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import type { Config } from "../config.ts";
import type { Publish } from "../deps.ts";
import { createElevenLabsLister } from "./elevenlabs-list.ts";
import type { ReconcileDeps } from "./reconcile-account.ts";
import { defaultReconcilePolicy } from "./window.ts";

// A list page is small; past this ElevenLabs is having trouble, and the next run will ask again.
const LIST_TIMEOUT_MS = 30_000;

/** The sweep's dependencies as `main.ts` and the CLI build them from the gateway's configuration. */
export function reconcileDepsFromConfig(
  config: Pick<
    Config,
    | "ELEVENLABS_BASE_URL"
    | "RECONCILE_GRACE_MS"
    | "RECONCILE_OVERLAP_MS"
    | "RECONCILE_LOOKBACK_MS"
    | "RECONCILE_MAX_PAGES"
  >,
  parts: { orm: MikroORM; publish: Publish; log: Logger; secrets: SecretBox },
): ReconcileDeps {
  return {
    ...parts,
    now: () => new Date(),
    elevenlabs: createElevenLabsLister({ baseUrl: config.ELEVENLABS_BASE_URL, timeoutMs: LIST_TIMEOUT_MS }),
    policy: {
      ...defaultReconcilePolicy,
      graceMs: config.RECONCILE_GRACE_MS,
      overlapMs: config.RECONCILE_OVERLAP_MS,
      lookbackMs: config.RECONCILE_LOOKBACK_MS,
      maxPages: config.RECONCILE_MAX_PAGES,
    },
  };
}
