import type { MikroORM } from "@mikro-orm/postgresql";

/** A query on a fresh unit of work (`?` placeholders): the sweeps read and purge outside any batch. */
export type Sql = (query: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

export function sqlOf(orm: MikroORM): Sql {
  return (q, p = []) => orm.em.fork().getConnection().execute(q, p, "all");
}

/** SQL that reads a timestamptz as the ISO-8601 string events carry (ms precision, UTC). */
export const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
