import { defineEntity, p } from "@mikro-orm/core";
import { Migrator } from "@mikro-orm/migrations";
import { MikroORM } from "@mikro-orm/postgresql";
import { migrationsList } from "@postprocess/migrations";
import { expect } from "vitest";
import { test } from "../fixtures.ts";

const Account = defineEntity({
  name: "Account",
  tableName: "accounts",
  properties: {
    id: p.string().primary(),
    name: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()),
  },
});

test("MikroORM 7 runs the project's migrations on PostgreSQL, then inserts and queries", async ({
  databaseUrl,
}) => {
  const orm = new MikroORM({
    clientUrl: databaseUrl,
    entities: [Account],
    extensions: [Migrator],
    // No snapshot file: the schema comes from hand-written migrations, not entity diffs.
    migrations: { migrationsList, snapshot: false, silent: true },
  });
  try {
    const applied = await orm.migrator.up();
    expect(applied.map((m) => m.name)).toEqual(migrationsList.map((m) => m.name));

    const em = orm.em.fork();
    em.create(Account, { id: "acc_smoke", name: "Smoke Inc" });
    await em.flush();
    const found = await orm.em.fork().findOneOrFail(Account, { id: "acc_smoke" });
    expect(found.name).toBe("Smoke Inc");

    // The migration's constraints are live: an account id with a space is refused by its CHECK.
    await expect(
      orm.em.fork().getConnection().execute("INSERT INTO accounts (id, name) VALUES ('bad id', 'x')"),
    ).rejects.toThrow(/check constraint/);
  } finally {
    await orm.close();
  }
});
