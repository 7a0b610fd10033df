import type { MikroORM } from "@mikro-orm/postgresql";
import { type Logger, type Periodic, type Producer, runEvery } from "@postprocess/kafka";
import type { RetentionPolicy } from "./retention-sweep.ts";
import { sweepRetention } from "./retention-sweep.ts";
import { sweepTimeouts } from "./timeout-sweep.ts";

export interface SweepOptions {
  orm: MikroORM;
  producer: Pick<Producer, "sendBatch">;
  timeoutIntervalMs: number;
  retentionIntervalMs: number;
  policy: RetentionPolicy;
  log: Logger;
}

/** Starts both periodic sweeps; every replica may run them (their events have deterministic ids). */
export function startSweeps(o: SweepOptions): Periodic {
  const timeouts = runEvery(
    "timeout sweep",
    o.timeoutIntervalMs,
    async () => {
      const failed = await sweepTimeouts({ orm: o.orm, producer: o.producer });
      if (failed.length) o.log.info({ jobs: failed.map((e) => e.processing_id) }, "timed-out jobs failed");
    },
    o.log,
  );
  const retention = runEvery(
    "retention sweep",
    o.retentionIntervalMs,
    async () => {
      const plan = await sweepRetention({ orm: o.orm, producer: o.producer, policy: o.policy });
      o.log.info(
        { auditRows: plan.auditRows, filesExpired: plan.filesExpired.length, archived: plan.archived.length },
        "retention sweep",
      );
    },
    o.log,
  );
  return {
    async stop() {
      await Promise.all([timeouts.stop(), retention.stop()]);
    },
  };
}
