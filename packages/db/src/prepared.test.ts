import { test } from "@postprocess/testkit";
import { expect, test as unitTest } from "vitest";
import { createOrm } from "./orm.ts";
import { inTransaction, positional, queryPrepared, statement } from "./prepared.ts";

unitTest("a statement is named after its text: same text same name, other text other name", () => {
  expect(statement("SELECT 1").name).toBe(statement("SELECT 1").name);
  expect(statement("SELECT 1").name).not.toBe(statement("SELECT 2").name);
  expect(statement("SELECT 1").name).toMatch(/^pp_[0-9a-f]{24}$/);
});

unitTest("? placeholders become $n, except inside quoted literals and identifiers; ?? is refused", () => {
  expect(positional("SELECT ? WHERE a = ? AND b = '?' AND \"c?\" = ?::json")).toBe(
    "SELECT $1 WHERE a = $2 AND b = '?' AND \"c?\" = $3::json",
  );
  expect(positional("SELECT $1")).toBe("SELECT $1");
  // Comments are copied as they are, quotes in them included.
  expect(positional("SELECT ? -- isn't ?\n, ? /* ? */ , ?")).toBe("SELECT $1 -- isn't ?\n, $2 /* ? */ , $3");
  expect(() => positional("SELECT ?? FROM t")).toThrow(/cannot be prepared/);
  expect(() => positional("SELECT ?, $1")).toThrow(/mixes/);
  expect(() => positional("SELECT $$?$$, ?")).toThrow(/dollar-quoted/);
  expect(statement("SELECT $1").sql).toBeUndefined();
  expect(statement("SELECT ?").text).toBe("SELECT $1");
  expect(statement("SELECT ?").sql).toBe("SELECT ?");
});

test("prepared statements: bind values, commit together, roll back on a throw", async ({ databaseUrl }) => {
  const orm = createOrm({ clientUrl: databaseUrl });
  const create = statement("CREATE TABLE IF NOT EXISTS prepared_probe (k text PRIMARY KEY, v json)");
  const insert = statement("INSERT INTO prepared_probe (k, v) VALUES ($1, $2::json) RETURNING k");
  const read = statement("SELECT k, v FROM prepared_probe ORDER BY k");
  try {
    await queryPrepared(orm, create);
    // A value that would break a text built by concatenation stays a value.
    const tricky = "it's'); DROP TABLE prepared_probe; --";
    await inTransaction(orm, async (q) => {
      await q(insert, ["a", JSON.stringify({ n: 1 })]);
      await q(insert, [tricky, JSON.stringify([tricky])]);
    });
    await expect(
      inTransaction(orm, async (q) => {
        await q(insert, ["b", "{}"]);
        throw new Error("abandon");
      }),
    ).rejects.toThrow("abandon");
    // A statement error inside the transaction rolls it back too, and the pooled connection stays usable.
    await expect(inTransaction(orm, async (q) => q(insert, ["a", "{}"]))).rejects.toMatchObject({
      code: "23505",
    });
    // A statement that fails inside a transaction whose function swallows the error: PostgreSQL answers
    // the COMMIT with a ROLLBACK, and that is an error, not a success.
    await expect(
      inTransaction(orm, async (q) => {
        await q(insert, ["c", "{}"]);
        await q(insert, ["a", "{}"]).catch(() => {});
      }),
    ).rejects.toThrow(/rolled back/);
    // An EntityManager inside an ORM transaction is refused: a pooled connection is not its transaction.
    await orm.em.fork().transactional(async (em) => {
      await expect(queryPrepared(em, read)).rejects.toThrow(/outside ORM transactions/);
    });
    // A one-off text with ? placeholders is bound too.
    expect(
      await queryPrepared(orm, "SELECT count(*)::int AS n FROM prepared_probe WHERE k = ?", [tricky]),
    ).toEqual([{ n: 1 }]);
    // Many runs of the same prepared statement across the pool's connections.
    for (let i = 0; i < 12; i++) expect(await queryPrepared(orm, read)).toHaveLength(2);
    expect(await queryPrepared(orm, read)).toEqual([
      { k: "a", v: { n: 1 } },
      { k: tricky, v: [tricky] },
    ]);
  } finally {
    await orm.close();
  }
});
