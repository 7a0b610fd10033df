import { createHash } from "node:crypto";
import type { MikroORM } from "@mikro-orm/postgresql";

/**
 * A hot statement, run as a named prepared statement: PostgreSQL parses it once per connection and, after
 * a few runs, reuses a generic plan. MikroORM's `execute` inlines every parameter into the text instead,
 * so each run was lexed (tens of kB of JSON literal), parsed and planned again: planning alone was
 * 0.3–0.9 ms of the projector's statements. Values go as bind parameters (`$1`…), never into the text.
 */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** Named after its text, so two texts never share a name (a connection refuses a reused name). */
export function statement(text: string): Statement {
  return { name: `pp_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`, text };
}

/** Runs one statement; resolves to its rows. */
export type Query = <R = Record<string, unknown>>(s: Statement, values?: readonly unknown[]) => Promise<R[]>;

/** The part of pg's pool and client this module uses (MikroORM's own pool: no second pool, no new dep). */
interface NativeResult {
  rows: unknown[];
}
interface NativeClient {
  query(q: string | { name: string; text: string; values: unknown[] }): Promise<NativeResult>;
  release(destroy?: Error | boolean): void;
}
interface NativePool {
  connect(): Promise<NativeClient>;
  query(q: { name: string; text: string; values: unknown[] }): Promise<NativeResult>;
}

const poolOf = async (orm: MikroORM) => (await orm.em.getConnection().getNativeClient()) as NativePool;

const run =
  (target: Pick<NativeClient, "query">): Query =>
  async <R>(s: Statement, values: readonly unknown[] = []) =>
    (await target.query({ name: s.name, text: s.text, values: [...values] })).rows as R[];

/** One statement outside a transaction, on any pooled connection. */
export async function queryPrepared<R = Record<string, unknown>>(
  orm: MikroORM,
  s: Statement,
  values: readonly unknown[] = [],
): Promise<R[]> {
  return run(await poolOf(orm))<R>(s, values);
}

/**
 * `fn` inside BEGIN … COMMIT on one pooled connection; ROLLBACK when it throws. A connection whose
 * ROLLBACK fails is destroyed rather than returned to the pool mid-transaction.
 */
export async function inTransaction<T>(orm: MikroORM, fn: (query: Query) => Promise<T>): Promise<T> {
  const client = await (await poolOf(orm)).connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const out = await fn(run(client));
    await client.query("COMMIT");
    return out;
  } catch (err) {
    await client.query("ROLLBACK").catch((rollbackErr: Error) => {
      broken = rollbackErr;
    });
    throw err;
  } finally {
    client.release(broken ?? false);
  }
}
