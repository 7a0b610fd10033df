import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { promisify } from "node:util";
import pg from "pg";
import type { Component } from "../component.ts";
import { databases, type StackConfig } from "../config.ts";

const run = promisify(execFile);

export function pgUrl(c: StackConfig, db: string): string {
  return `postgres://${encodeURIComponent(c.PP_PG_USER)}:${encodeURIComponent(c.PP_PG_PASSWORD)}@${c.PP_PG_HOST}:${c.PP_PG_PORT}/${db}`;
}

async function withClient<T>(c: StackConfig, db: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl(c, db), connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates the stack's databases if missing (idempotent). */
export async function ensureDatabases(c: StackConfig): Promise<void> {
  await withClient(c, "postgres", async (client) => {
    for (const name of Object.values(databases)) {
      const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
      if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
    }
  });
}

/** Drops the stack's databases, ending connections still open to them. */
export async function dropDatabases(c: StackConfig): Promise<void> {
  await withClient(c, "postgres", async (client) => {
    for (const name of Object.values(databases))
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
}

/**
 * The machine's PostgreSQL (not started by the stack). If it is down, the stack tries the machine's own
 * start command once; the databases the project needs are created on every `up`.
 */
export const postgres: Component = {
  name: "postgres",
  version: "machine",
  port: (c) => c.PP_PG_PORT,
  managed: false,
  startTimeoutMs: 30_000,
  async install() {},
  async start(ctx) {
    const versions = await readdir("/etc/postgresql").catch(() => [] as string[]);
    const version = versions.sort().pop();
    if (!version)
      throw new Error(
        "postgres: down, and no /etc/postgresql cluster to start; start PostgreSQL 15+ on 127.0.0.1:5432",
      );
    ctx.say(`postgres: starting the machine's cluster ${version}/main`);
    await run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"]);
    return undefined;
  },
  async healthy(ctx) {
    const v = await withClient(ctx.config, "postgres", async (client) => {
      const { rows } = await client.query<{ server_version: string }>("SHOW server_version");
      return rows[0]?.server_version;
    });
    if (v) postgres.version = v.split(" ")[0] ?? v;
    return !!v;
  },
  env: (c) => ({
    DATABASE_URL: pgUrl(c, databases.dev),
    DATABASE_TEST_URL: pgUrl(c, databases.test),
  }),
};
