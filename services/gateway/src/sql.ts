import type { EntityManager } from "@mikro-orm/postgresql";
import { queryPrepared, type Statement } from "@postprocess/db";

/**
 * A raw SQL runner with `?` placeholders; values are always bound, never spliced into the text. A
 * `Statement` (`statement(text)` from @postprocess/db) is for the hot paths every request runs: it is
 * prepared once per connection instead of parsed and planned each time.
 */
// The same shape as @postprocess/db's `Query`, so `inTransaction`'s runner is a `Sql` as it is.
export type Sql = <Row = Record<string, unknown>>(
  query: string | Statement,
  params?: readonly unknown[],
) => Promise<Row[]>;

/**
 * Raw SQL on a unit of work, inside its transaction when there is one. The gateway's reads are the
 * design document's report queries (joins, aggregates, keyset pages), which read best as SQL. Outside an
 * ORM transaction a `Statement` runs prepared on the ORM's pool; inside one, through the ORM as text.
 */
export function sqlOn(em: EntityManager): Sql {
  const conn = em.getConnection();
  const trx = em.getTransactionContext();
  const execute = async <Row>(text: string, params: readonly unknown[]) =>
    (await conn.execute(text, [...params], "all", trx)) as Row[];
  return async <Row>(query: string | Statement, params: readonly unknown[] = []) => {
    if (typeof query === "string") return execute<Row>(query, params);
    if (!trx) return queryPrepared<Row>(em, query, params);
    if (query.sql === undefined)
      throw new Error(`statement ${query.name} is written with $n: it cannot run in an ORM transaction`);
    return execute<Row>(query.sql, params);
  };
}

// How PostgreSQL prints a TIMESTAMPTZ (the driver hands it over as text): `2026-11-26 01:37:29.52+00`.
const PG_TIMESTAMPTZ = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([+-]\d{2})(?::?(\d{2}))?$/;

/**
 * A TIMESTAMPTZ column as ISO-8601 UTC with milliseconds; NULL stays null. Parsed explicitly rather than
 * through `new Date(text)`, whose handling of PostgreSQL's format is engine-specific.
 */
export function isoOrNull(value: unknown): string | null {
  if (value == null) return null;
  if (value instanceof Date) return value.toISOString();
  const m = PG_TIMESTAMPTZ.exec(String(value));
  if (!m) throw new TypeError(`not a PostgreSQL timestamptz: ${JSON.stringify(value)}`);
  const [, date, time, fraction = "", offsetHours, offsetMinutes = "00"] = m;
  const ms = fraction.padEnd(3, "0").slice(0, 3);
  return new Date(`${date}T${time}.${ms}${offsetHours}:${offsetMinutes}`).toISOString();
}
