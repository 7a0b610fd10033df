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
  /** The text with `?` placeholders, for MikroORM's `execute` (inside an ORM transaction). */
  readonly sql: string;
}

/**
 * `?` placeholders (MikroORM's style) become `$1`, `$2`…, except inside quoted literals and identifiers.
 * `??` (MikroORM's identifier placeholder) has no positional equivalent and is refused.
 */
export function positional(text: string): string {
  let out = "";
  let n = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === "?") {
      if (text[i + 1] === "?") throw new Error("`??` placeholders cannot be prepared");
      out += `$${++n}`;
      continue;
    }
    out += ch;
  }
  return out;
}

/** A statement from a text with `?` placeholders (or already `$n` ones), named after its text. */
export function statement(text: string): Statement {
  const pg = positional(text);
  // Named after the text, so two texts never share a name (a connection refuses a reused name).
  return { name: `pp_${createHash("sha256").update(pg).digest("hex").slice(0, 24)}`, text: pg, sql: text };
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
const poolOf = async (db: MikroORM | EntityManager) =>
  (await ("em" in db ? db.em : db).getConnection().getNativeClient()) as NativePool;

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
