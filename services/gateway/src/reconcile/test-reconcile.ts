import { randomBytes } from "node:crypto";
import type { EventOf } from "@postprocess/contracts";
import { createSecretBox } from "@postprocess/db";
import type { Logger } from "@postprocess/kafka";
import type { StackEnv } from "@postprocess/testkit";
import {
  type ConversationStatus,
  type FakeElevenLabs,
  realisticConversation,
  startFakeElevenLabs,
} from "@postprocess/testkit/fakes/elevenlabs";
import { isoOrNull } from "../sql.ts";
import { test as gatewayTest, type TestGateway } from "../test-gateway.ts";
import { createElevenLabsLister } from "./elevenlabs-list.ts";
import { dueIntegrations } from "./integrations.ts";
import { type AccountReport, type ReconcileDeps, reconcileAccount } from "./reconcile-account.ts";
import { defaultReconcilePolicy } from "./window.ts";

/** The key the fake ElevenLabs accepts. */
export const EL_KEY = "xi-test-key-4f1c9a7e2b";
export const AGENT = "agent_reconcile_a";
export const MIN = 60_000;
export const HOUR = 60 * MIN;

/** A sweep on the `gw` fixture's database, against a fake ElevenLabs over HTTP, with a movable clock. */
export interface ReconcileHarness {
  gw: TestGateway;
  /** The gateway's database, and the stack's settings (for a test that runs the CLI). */
  databaseUrl: string;
  env: StackEnv;
  /** The SECRETS_KEY the integrations' keys are sealed under. */
  secretsKey: Buffer;
  fake: FakeElevenLabs;
  clock: { now: Date };
  /** Every `conversation.ended` the sweep published, in order. */
  published: EventOf<"conversationEnded">[];
  /** Awaited inside every publish before it records (lets a test hold a sweep mid-run). */
  beforePublish: (() => Promise<void>) | undefined;
  logs: { level: string; obj: object; msg: string }[];
  /** Dependencies of a run; spread and override (`policy`, `dryRun`) as a test needs. */
  deps: ReconcileDeps;
  /** An enabled integration for `accountId`, its key sealed as the config API would. */
  addIntegration(
    accountId: string,
    opts?: { apiKey?: string; agentId?: string | null; email?: string },
  ): Promise<void>;
  /** Serves a call of AGENT (or `agentId`) that started `startedAgoMs` before the clock's now. */
  addCall(
    id: string,
    opts: { status?: ConversationStatus; startedAgoMs: number; durationSecs?: number; agentId?: string },
  ): void;
  /** One account's run now, as the sweep would run it. */
  run(accountId: string, over?: Partial<ReconcileDeps>): Promise<AccountReport>;
  /** The integration's stored progress, as ISO strings. */
  progress(
    accountId: string,
  ): Promise<{ reconciledUntil: string | null; resumeBefore: string | null; notBefore: string | null }>;
}

export const test = gatewayTest.extend<{ rc: ReconcileHarness }>({
  rc: async ({ gw, databaseUrl, env }, use) => {
    const fake = await startFakeElevenLabs({ apiKey: EL_KEY });
    const secretsKey = randomBytes(32);
    const secrets = createSecretBox(secretsKey);
    const logs: ReconcileHarness["logs"] = [];
    const at = (level: string) => (obj: object, msg: string) => void logs.push({ level, obj, msg });
    const log: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
    const rc: ReconcileHarness = {
      gw,
      databaseUrl,
      env,
      secretsKey,
      fake,
      clock: { now: new Date("2026-11-26T12:00:00.000Z") },
      published: [],
      beforePublish: undefined,
      logs,
      deps: {
        orm: gw.orm,
        now: () => rc.clock.now,
        log,
        secrets,
        elevenlabs: createElevenLabsLister({ baseUrl: fake.url, timeoutMs: 5_000 }),
        policy: defaultReconcilePolicy,
        publish: async (topic, event) => {
          await rc.beforePublish?.();
          if (topic === "conversationEnded") rc.published.push(event as EventOf<"conversationEnded">);
        },
      },
      async addIntegration(accountId, opts = {}) {
        await gw.sql(
          `INSERT INTO elevenlabs_integrations (account_id, api_key, agent_id, recipient_email, reconcile_enabled)
           VALUES (?, ?, ?, ?, true)`,
          [
            accountId,
            secrets.seal(opts.apiKey ?? EL_KEY),
            opts.agentId === undefined ? AGENT : opts.agentId,
            opts.email ?? "ops@example.com",
          ],
        );
      },
      addCall(id, opts) {
        const base = realisticConversation();
        fake.add(
          realisticConversation({
            conversation_id: id,
            agent_id: opts.agentId ?? AGENT,
            status: opts.status ?? "done",
            metadata: {
              ...base.metadata,
              start_time_unix_secs: Math.floor((rc.clock.now.getTime() - opts.startedAgoMs) / 1000),
              call_duration_secs: opts.durationSecs ?? 60,
            },
          }),
        );
      },
      async run(accountId, over = {}) {
        const deps = { ...rc.deps, ...over };
        const integration = (await dueIntegrations(gw.sql, deps.now())).find(
          (i) => i.accountId === accountId,
        );
        if (!integration) throw new Error(`${accountId} is not due for reconciliation`);
        return reconcileAccount(integration, deps);
      },
      async progress(accountId) {
        const [row] = await gw.sql(
          `SELECT reconciled_until, reconcile_resume_before, reconcile_not_before
           FROM elevenlabs_integrations WHERE account_id = ?`,
          [accountId],
        );
        return {
          reconciledUntil: isoOrNull(row?.reconciled_until),
          resumeBefore: isoOrNull(row?.reconcile_resume_before),
          notBefore: isoOrNull(row?.reconcile_not_before),
        };
      },
    };
    await use(rc);
    await fake.close();
  },
});

/** The clock's now less `ms`, as the ISO string PostgreSQL gives back (whole seconds: ElevenLabs' unit). */
export function isoAgo(rc: ReconcileHarness, ms: number): string {
  return new Date(Math.floor((rc.clock.now.getTime() - ms) / 1000) * 1000).toISOString();
}

/** The list requests the fake answered, oldest first. */
export function listRequests(rc: ReconcileHarness) {
  return rc.fake.requests().filter((r) => r.path === "/v1/convai/conversations");
}
