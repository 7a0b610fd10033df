import { allTopics, registerSchemas } from "@postprocess/contracts";
import {
  createDatabase,
  deleteTopicsWithPrefix,
  type RunningPipeline,
  type StackEnv,
  startPipeline,
  uniqueName,
} from "@postprocess/testkit";
import type { Admin } from "kafkajs";
import pg from "pg";

/** The projector and gateway processes of one test, and what the test reaches them with. */
export interface GatewayAndProjector {
  /** This run's topic prefix (`e2e-….`): its topics are deleted afterwards. */
  prefix: string;
  gatewayUrl: string;
  /** `Authorization` of account `acme`, created through the admin API. */
  auth: { authorization: string };
  /** A client on this run's database, connected (the projector migrated it). */
  sql: pg.Client;
  /** SIGTERM to both (the gateway first); the exit codes by service. */
  stop: RunningPipeline["stop"];
}

/**
 * Runs `body` against the projector and gateway processes on a fresh topic prefix and database, with an admin
 * key and an account `acme`. Afterwards — whatever happened — stops both, drops the database and deletes the
 * topics; when `body` fails, prints what the services said first.
 */
export async function withGatewayAndProjector(
  opts: { env: StackEnv; admin: Admin; extra?: Record<string, string> },
  body: (stack: GatewayAndProjector) => Promise<void>,
): Promise<void> {
  const { env, admin } = opts;
  const prefix = `${uniqueName("e2e")}.`;
  await registerSchemas(env.SCHEMA_REGISTRY_URL, { prefix, topics: allTopics });
  const db = await createDatabase(env);
  const sql = new pg.Client({ connectionString: db.url });
  let pipeline: RunningPipeline | undefined;
  try {
    const running = await startPipeline(env, {
      databaseUrl: db.url,
      topicPrefix: prefix,
      services: ["projector", "gateway"],
      extra: { PROJECTOR_GROUP_ID: uniqueName("projector"), ...opts.extra },
    });
    pipeline = running;
    await sql.connect();
    const auth = { authorization: `Bearer ${await running.createAccount("acme")}` };
    await body({ prefix, gatewayUrl: running.gatewayUrl, auth, sql, stop: () => running.stop() });
  } catch (err) {
    if (pipeline) console.error(pipeline.outputs());
    throw err;
  } finally {
    await pipeline?.stop();
    await sql.end().catch(() => {});
    await db.drop();
    await deleteTopicsWithPrefix(admin, prefix);
  }
}
