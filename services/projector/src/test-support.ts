import type { MikroORM } from "@mikro-orm/postgresql";
import { topics } from "@postprocess/contracts";
import { createOrm, migrate } from "@postprocess/db";
import { consumerLag } from "@postprocess/kafka";
import type { Admin } from "kafkajs";
import { projectedTopics } from "./handle-batch.ts";

/** A migrated ORM on `url` with the account the fixtures use (`acc_demo`). For tests and benchmarks. */
export async function projectorDatabase(url: string): Promise<MikroORM> {
  const orm = createOrm({ clientUrl: url });
  await migrate(orm);
  await orm.em.fork().getConnection().execute("INSERT INTO accounts (id, name) VALUES ('acc_demo', 'Demo')");
  return orm;
}

/** Events on the projected topics the group has not committed yet. */
export function projectorLag(admin: Admin, groupId: string, prefix: string): Promise<number> {
  return consumerLag(
    admin,
    // The consumers prefix their group as they prefix their topics.
    prefix + groupId,
    projectedTopics.map((k) => prefix + topics[k].name),
  );
}
