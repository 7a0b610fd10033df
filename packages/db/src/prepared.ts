import { createHash } from "node:crypto";
import type { EntityManager, MikroORM } from "@mikro-orm/postgresql";

/**
 * A hot statement, run as a named prepared statement: PostgreSQL parses it once per connection and, after
 * a few runs, reuses a generic plan. MikroORM's `execute` inlines every parameter into the text instead,
 * so each run was lexed (tens of kB of JSON literal for the projector), parsed and planned again: planning
 * alone was 0.3–0.9 ms of the projector's statements. Values go as bind parameters, never into the text.
 * Only fixed texts should be statements: each one stays prepared on every pooled connection that ran it.
 */
export interface Statement {
  readonly name: string;
  /** The text with `$1`… placeholders, as PostgreSQL receives it. */
  readonly text: string;
  /**
   * The text with `?` placeholders, for MikroORM's `execute` (inside an ORM transaction); undefined for a
   * statement written with `$n`, which only runs prepared.
   */
  readonly sql: string | undefined;
}

/**
 * `?` placeholders (MikroORM's style) become `$1`, `$2`…, except inside quoted literals and identifiers and
 * inside comments. A `?` anywhere else is a placeholder, so jsonb's `?`, `?|` and `?&` operators must be
 * written as their functions (`jsonb_exists`…). Refused, because the conversion would go wrong: `??`
 * (MikroORM's identifier placeholder), dollar-quoted strings, and texts that mix `?` with `$n`. A text with
 * no `?` is returned as it is.
 */
export function positional(text: string): string {
  if (!text.includes("?")) return text;
  if (/\$\d/.test(text)) throw new Error("a statement mixes `?` and `$n` placeholders");
  if (text.includes("$$")) throw new Error("dollar-quoted text cannot take `?` placeholders");
  let out = "";
  let n = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    // Copied verbatim up to their end: quoted literals and identifiers, line and block comments.
    const end =
      ch === "'" || ch === '"'
        ? text.indexOf(ch, i + 1)
        : text.startsWith("--", i)
          ? text.indexOf("\n", i)
          : text.startsWith("/*", i)
            ? text.indexOf("*/", i) + 1
            : undefined;
    if (end !== undefined) {
      const stop = end < i + 1 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (ch === "?") {
      if (text[i + 1] === "?") throw new Error("`??` placeholders cannot be prepared");
      out += `$${++n}`;
    } else {
      out += ch;
    }
    i += 1;
  }
  return out;
}

/** A statement from a text with `?` placeholders (or already `$n` ones), named after its text. */
export function statement(text: string): Statement {
  const pg = positional(text);
  // Named after the text, so two texts never share a name (a connection refuses a reused name).
  const name = `pp_${createHash("sha256").update(pg).digest("hex").slice(0, 24)}`;
  return { name, text: pg, sql: pg === text && /\$\d/.test(text) ? undefined : text };
}

/**
 * Runs a prepared statement, or a one-off text (`?` placeholders, bound but not kept prepared); resolves
 * to its rows.
 */
export type Query = <R = Record<string, unknown>>(
  s: Statement | string,
  values?: readonly unknown[],
) => Promise<R[]>;

/** The part of pg's pool and client this module uses (MikroORM's own pool: no second pool, no new dep). */
interface NativeResult {
  rows: unknown[];
  /** The command tag: `ROLLBACK` when PostgreSQL answers a COMMIT of a failed transaction. */
  command?: string;
}
type NativeQuery = string | { name?: string; text: string; values: unknown[] };
interface NativeClient {
  query(q: NativeQuery): Promise<NativeResult>;
  release(destroy?: Error | boolean): void;
}
interface NativePool {
  connect(): Promise<NativeClient>;
  query(q: NativeQuery): Promise<NativeResult>;
}

/** MikroORM's pg pool, reached from the ORM or from any of its EntityManagers. */
const poolOf = async (db: MikroORM | EntityManager) => {
  const em = "em" in db ? db.em : db;
  // A pooled connection is not the EntityManager's transaction: a statement there would not see its
  // writes, and waiting on a lock it holds would hang for good.
  if (em.getTransactionContext())
    throw new Error("prepared statements run outside ORM transactions: use inTransaction instead");
  return (await em.getConnection().getNativeClient()) as NativePool;
};

const run =
  (target: Pick<NativeClient, "query">): Query =>
  async <R>(s: Statement | string, values: readonly unknown[] = []) =>
    (
      await target.query(
        typeof s === "string"
          ? { text: positional(s), values: [...values] }
          : { name: s.name, text: s.text, values: [...values] },
      )
    ).rows as R[];

/** One statement outside a transaction, on any pooled connection. */
export async function queryPrepared<R = Record<string, unknown>>(
  db: MikroORM | EntityManager,
  s: Statement | string,
  values: readonly unknown[] = [],
): Promise<R[]> {
  return run(await poolOf(db))<R>(s, values);
}

/**
 * `fn` inside BEGIN … COMMIT on one pooled connection; ROLLBACK when it throws. A connection whose
 * ROLLBACK fails is destroyed rather than returned to the pool mid-transaction.
 */
export async function inTransaction<T>(
  db: MikroORM | EntityManager,
  fn: (query: Query) => Promise<T>,
): Promise<T> {
  const client = await (await poolOf(db)).connect();
  let broken: Error | undefined;
  try {
    await client.query("BEGIN");
    const out = await fn(run(client));
    // A transaction in which a statement failed (and `fn` caught it) ends in a ROLLBACK, not an error.
    const commit = await client.query("COMMIT");
    if (commit.command === "ROLLBACK")
      throw new Error("the transaction was rolled back: a statement in it failed");
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
