import type { MikroORM } from "@mikro-orm/postgresql";
import { sqlOn } from "../sql.ts";
import { dueIntegrations } from "./integrations.ts";
import { type AccountReport, type ReconcileDeps, reconcileAccount } from "./reconcile-account.ts";

/** One sweep: whether this replica ran it, and each account's run. */
export interface SweepReport {
  /** False when another replica's sweep held the lock: this one did nothing. */
  elected: boolean;
  accounts: AccountReport[];
}

// One name for every replica of every deployment sharing the database.
const LEADER_LOCK = "postprocess:reconcile-elevenlabs";

/**
 * Reconciles every due account, one after the other, on the replica that holds the sweep's advisory lock
 * (the others return at once, so ElevenLabs is listed once per interval, not once per replica). One account's
 * failure is logged and the next account runs. A dry run takes no lock: it changes nothing.
 *
 * The lock only saves work; it is not what prevents duplicates (a replica whose lock connection dropped may
 * overlap another's run): every start re-checks under the conversation's locks (`startReconciledJob`).
 */
export async function sweepReconcile(deps: ReconcileDeps): Promise<SweepReport> {
  const run = async () => {
    const accounts: AccountReport[] = [];
    for (const integration of await dueIntegrations(sqlOn(deps.orm.em.fork()), deps.now())) {
      if (deps.signal?.aborted) break;
      try {
        accounts.push(await reconcileAccount(integration, deps));
      } catch (err) {
        deps.log.error(
          { accountId: integration.accountId, err: (err as Error).message },
          "reconciliation run failed",
        );
      }
    }
    return accounts;
  };
  if (deps.dryRun) return { elected: true, accounts: await run() };
  const led = await asLeader(deps.orm, LEADER_LOCK, run);
  return led.elected ? { elected: true, accounts: led.value } : { elected: false, accounts: [] };
}

/**
 * Runs `task` only if no other session holds the advisory lock `name`. The lock is transaction-scoped, on a
 * transaction of its own that does nothing else (the task's work commits on other connections as it goes),
 * so it is released when the task ends, or by PostgreSQL when this process or its connection dies; a
 * session-level lock on a pooled connection could outlive the task.
 */
export async function asLeader<T>(
  orm: MikroORM,
  name: string,
  task: () => Promise<T>,
): Promise<{ elected: false } | { elected: true; value: T }> {
  const em = orm.em.fork();
  await em.begin();
  try {
    const [row] = await sqlOn(em)<{ elected: boolean }>(
      "SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0)) AS elected",
      [name],
    );
    if (!row?.elected) return { elected: false };
    return { elected: true, value: await task() };
  } finally {
    await em.rollback();
  }
}
