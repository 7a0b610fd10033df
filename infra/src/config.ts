import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { z } from "zod";

/** Where the repository root is, found from this file so the CLI works from any working directory. */
export const repoRoot = resolve(import.meta.dirname, "..", "..");

const port = z.coerce.number().int().min(1024).max(65535);

/**
 * Stack settings. Defaults avoid the machine's own services (3306, 6379, 5672, 1883, 4222);
 * 5432 is the machine's PostgreSQL, which the stack uses rather than starting its own.
 */
export const stackConfigSchema = z.object({
  // Gitignored folder holding every component's data, logs, pids and the generated env file; `reset` wipes it.
  PP_STACK_HOME: z.string().default(join(repoRoot, ".stack")),
  // Downloads are cached outside the work tree so a fresh clone or `reset` does not download again.
  PP_CACHE_DIR: z.string().default(join(homedir(), ".cache", "postprocess")),
  // A JDK >= 21 for the schema registry; found under /usr/lib/jvm when unset.
  PP_JAVA_HOME: z.string().optional(),
  PP_KAFKA_PORT: port.default(19092),
  PP_KAFKA_CONTROLLER_PORT: port.default(19093),
  PP_REGISTRY_PORT: port.default(18081),
  PP_S3_PORT: port.default(19000),
  PP_SMTP_PORT: port.default(13025),
  PP_IMAP_PORT: port.default(13143),
  PP_MAIL_API_PORT: port.default(18083),
  PP_PG_HOST: z.string().default("127.0.0.1"),
  PP_PG_PORT: port.default(5432),
  PP_PG_USER: z.string().default("postgres"),
  PP_PG_PASSWORD: z.string().default("postgres"),
  // Credentials of the local S3 server; not secrets, the server only listens on loopback.
  PP_S3_ACCESS_KEY: z.string().default("postprocess"),
  PP_S3_SECRET_KEY: z.string().default("postprocess-local-secret"),
});

export type StackConfig = z.infer<typeof stackConfigSchema> & {
  runDir: string;
  logDir: string;
  dataDir: string;
  envFile: string;
};

/** Parses stack settings from the environment once, at the CLI's entry point. */
export function loadStackConfig(env: NodeJS.ProcessEnv = process.env): StackConfig {
  const parsed = stackConfigSchema.parse(env);
  const home = parsed.PP_STACK_HOME;
  return {
    ...parsed,
    runDir: join(home, "run"),
    logDir: join(home, "logs"),
    dataDir: join(home, "data"),
    envFile: join(home, "stack.env"),
  };
}

/** Databases the stack creates in PostgreSQL: the app's dev and test databases and the registry's own. */
export const databases = {
  dev: "postprocess",
  test: "postprocess_test",
  registry: "postprocess_registry",
} as const;
