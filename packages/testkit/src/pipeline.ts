import { randomBytes } from "node:crypto";
import { createAccountWithKey, newAdminKey } from "./admin.ts";
import { freePort, type ServiceProcess, startService } from "./service-process.ts";
import type { StackEnv } from "./stack-env.ts";
import { waitFor } from "./wait-for.ts";

/** Every service of the system, in start order (the projector migrates the database first). */
export const pipelineServices = [
  "projector",
  "gateway",
  "extractor",
  "storage",
  "summarizer",
  "report",
  "mailer",
  // Not a pipeline step: the reference outside consumer of processing.status (completion callbacks).
  "callbacks",
] as const;

export interface RunningPipeline {
  gatewayUrl: string;
  /** The operator's admin key of this run (its hash is the gateway's ADMIN_KEY_SHA256). */
  adminKey: string;
  /**
   * Creates an account through the admin API (an existing one is kept) and a fresh API key for it;
   * resolves to the key, ready for `Authorization: Bearer`.
   */
  createAccount(
    id: string,
    opts?: { name?: string; ratePerMinute?: number; burst?: number },
  ): Promise<string>;
  services: ServiceProcess[];
  /** The last lines each service printed (for a failing test or demo). */
  outputs(): string;
  /** SIGTERM to all, in reverse start order; the exit codes by service. */
  stop(): Promise<Record<string, number | "timeout">>;
}

/**
 * Starts the services' own `main.ts` processes against the stack, as an operator would, and waits until
 * each is consuming (or, for the gateway, ready). `extra` adds per-run settings (topic prefix, fakes' URLs).
 */
export async function startPipeline(
  env: StackEnv,
  opts: {
    databaseUrl: string;
    topicPrefix?: string;
    extra?: Record<string, string>;
    services?: readonly string[];
  },
): Promise<RunningPipeline> {
  const port = await freePort();
  const gatewayUrl = `http://127.0.0.1:${port}`;
  const admin = newAdminKey();
  const common: Record<string, string> = {
    DATABASE_URL: opts.databaseUrl,
    KAFKA_BROKERS: env.KAFKA_BROKERS,
    SCHEMA_REGISTRY_URL: env.SCHEMA_REGISTRY_URL,
    TOPIC_PREFIX: opts.topicPrefix ?? "",
    S3_ENDPOINT: env.S3_ENDPOINT,
    S3_REGION: env.S3_REGION,
    S3_ACCESS_KEY: env.S3_ACCESS_KEY,
    S3_SECRET_KEY: env.S3_SECRET_KEY,
    SMTP_HOST: env.SMTP_HOST,
    SMTP_PORT: String(env.SMTP_PORT),
    // The stack's dev key when there is one (a re-run demo opens what the last one sealed), else a fresh one.
    SECRETS_KEY: env.SECRETS_KEY ?? randomBytes(32).toString("base64"),
    ADMIN_KEY_SHA256: admin.sha256,
    PORT: String(port),
    PUBLIC_BASE_URL: gatewayUrl,
    ...opts.extra,
  };
  const services: ServiceProcess[] = [];
  const outputs = () => services.map((s) => `--- ${s.name} ---\n${s.output().slice(-3000)}`).join("\n");
  const ready = async (s: ServiceProcess): Promise<void> => {
    if (s.name === "gateway") {
      await waitFor("the gateway to be ready", async () => (await fetch(`${gatewayUrl}/readyz`)).ok, {
        timeoutMs: 60_000,
      });
      return;
    }
    const state = await waitFor(
      `${s.name} to start consuming`,
      () => (s.exited() ? "exited" : /consumer started/.test(s.output()) && "consuming"),
      { timeoutMs: 60_000 },
    );
    if (state === "exited") throw new Error(`${s.name} exited while starting`);
  };
  try {
    const names = opts.services ?? pipelineServices;
    // The projector first, alone: it migrates the database the others read. The rest need nothing of one
    // another, so they start together (on two cores, one after another took most of a minute).
    const [first, ...rest] = names[0] === "projector" ? names : [undefined, ...names];
    if (first) {
      const projector = startService(first, common);
      services.push(projector);
      await ready(projector);
    }
    const others = rest.filter((n): n is string => n !== undefined).map((n) => startService(n, common));
    services.push(...others);
    await Promise.all(others.map(ready));
  } catch (err) {
    const text = outputs();
    await Promise.all(services.map((s) => s.stop(3000)));
    throw new Error(`${(err as Error).message}\n${text}`);
  }
  return {
    gatewayUrl,
    adminKey: admin.key,
    createAccount: (id, opts) => createAccountWithKey(gatewayUrl, admin.key, id, opts),
    services,
    outputs,
    async stop() {
      const codes: Record<string, number | "timeout"> = {};
      for (const s of [...services].reverse()) codes[s.name] = await s.stop();
      return codes;
    },
  };
}
