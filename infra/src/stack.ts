import { rm } from "node:fs/promises";
import type { Component, StackContext } from "./component.ts";
import { components } from "./components/index.ts";
import { dropDatabases, ensureDatabases } from "./components/postgres.ts";
import type { StackConfig } from "./config.ts";
import { writeEnvFile } from "./env-file.ts";
import { findJdk, type Jdk } from "./java.ts";
import { withLock } from "./lock.ts";
import { registerSchemas } from "./post-up.ts";
import { isAlive, processFiles, rssMb, runningPid, stopProcess } from "./process.ts";
import { portOpen, waitUntil } from "./wait.ts";

/** One line of `stack status`. */
export interface ComponentStatus {
  name: string;
  version: string;
  port: number;
  pid: number | undefined;
  state: "healthy" | "down" | "unhealthy";
  rssMb: number | undefined;
}

export function createContext(config: StackConfig, say: (line: string) => void = console.log): StackContext {
  const jdks = new Map<number, Promise<Jdk>>();
  return {
    config,
    say,
    jdk(minMajor) {
      let j = jdks.get(minMajor);
      if (!j) {
        // One JDK for all components when possible: the newest one found, provided it is new enough.
        j = findJdk(minMajor, config.PP_JAVA_HOME);
        jdks.set(minMajor, j);
      }
      return j;
    },
  };
}

async function healthy(c: Component, ctx: StackContext): Promise<boolean> {
  try {
    return await c.healthy(ctx);
  } catch {
    return false;
  }
}

async function statusOf(c: Component, ctx: StackContext): Promise<ComponentStatus> {
  const cfg = ctx.config;
  const pid = c.managed ? await runningPid(processFiles(cfg.runDir, cfg.logDir, c.name)) : undefined;
  const ok = await healthy(c, ctx);
  const state = ok ? "healthy" : pid ? "unhealthy" : "down";
  return {
    name: c.name,
    version: c.version,
    port: c.port(cfg),
    pid,
    state,
    rssMb: pid ? await rssMb(pid) : undefined,
  };
}

/** Brings one component to healthy: nothing if it already is, else install (cached), start and wait. */
async function bringUp(c: Component, ctx: StackContext): Promise<void> {
  if (await healthy(c, ctx)) return;
  const cfg = ctx.config;
  const files = processFiles(cfg.runDir, cfg.logDir, c.name);
  let pid = c.managed ? await runningPid(files) : undefined;
  if (pid === undefined) {
    if (c.managed && (await portOpen(c.port(cfg)))) {
      throw new Error(
        `${c.name}: port ${c.port(cfg)} is in use by a process the stack did not start; ` +
          `stop it or move the stack with PP_* port variables (see .env.example)`,
      );
    }
    await c.install(ctx);
    pid = await c.start(ctx);
  }
  const started = pid;
  await waitUntil(`${c.name} to answer its health check`, () => c.healthy(ctx), {
    timeoutMs: c.startTimeoutMs,
    alive: started === undefined ? undefined : () => isAlive(started),
  }).catch((err: Error) => {
    throw new Error(`${err.message}; see \`stack logs ${c.name}\` (${files.logFile})`);
  });
}

/** Idempotent: starts whatever is down, leaves healthy components alone, writes the env file. */
export async function up(config: StackConfig, ctx = createContext(config)): Promise<ComponentStatus[]> {
  return withLock(config.runDir, async () => {
    const [pgComponent, ...rest] = components;
    await bringUp(pgComponent!, ctx);
    await ensureDatabases(config);
    // Downloads first, in parallel, so a cold start pays for the slowest download only once.
    const down = [];
    for (const c of rest) if (!(await healthy(c, ctx))) down.push(c);
    await Promise.all(down.map((c) => c.install(ctx)));
    await Promise.all(rest.map((c) => bringUp(c, ctx)));
    await writeEnvFile(config);
    ctx.say(await registerSchemas(config));
    return Promise.all(components.map((c) => statusOf(c, ctx)));
  });
}

export async function status(config: StackConfig, ctx = createContext(config)): Promise<ComponentStatus[]> {
  return Promise.all(components.map((c) => statusOf(c, ctx)));
}

/** Stops every component the stack started (the machine's PostgreSQL is left running). */
export async function down(config: StackConfig): Promise<string[]> {
  return withLock(config.runDir, async () => {
    const stopped: string[] = [];
    await Promise.all(
      components
        .filter((c) => c.managed)
        .map(async (c) => {
          if (await stopProcess(processFiles(config.runDir, config.logDir, c.name))) stopped.push(c.name);
        }),
    );
    return stopped;
  });
}

/**
 * Stops everything and wipes the stack's data: its folder and its databases (the registry keeps its
 * schemas in PostgreSQL). The download cache stays.
 */
export async function reset(config: StackConfig): Promise<void> {
  await down(config);
  await rm(config.PP_STACK_HOME, { recursive: true, force: true });
  await dropDatabases(config).catch(() => {
    // PostgreSQL is down: nothing of ours to drop there until it is back.
  });
}

export function formatStatus(rows: ComponentStatus[]): string {
  return rows
    .map((r) =>
      [
        r.name.padEnd(9),
        r.version.padEnd(8),
        `port ${r.port}`.padEnd(11),
        `pid ${r.pid ?? "-"}`.padEnd(12),
        r.state.padEnd(9),
        r.rssMb === undefined ? "" : `rss ${r.rssMb} MB`,
      ]
        .join(" ")
        .trimEnd(),
    )
    .join("\n");
}
