import { join } from "node:path";
import { readEnvFile, repoRoot } from "@postprocess/infra";
import { z } from "zod";

const schema = z.object({
  KAFKA_BROKERS: z.string(),
  SCHEMA_REGISTRY_URL: z.url(),
  S3_ENDPOINT: z.url(),
  S3_REGION: z.string(),
  S3_ACCESS_KEY: z.string(),
  S3_SECRET_KEY: z.string(),
  DATABASE_URL: z.string(),
  DATABASE_TEST_URL: z.string(),
  SMTP_HOST: z.string(),
  SMTP_PORT: z.coerce.number(),
  MAIL_API_URL: z.url(),
  // The local stack's dev key for sealed secrets (absent with a Docker stack: runs then make their own).
  SECRETS_KEY: z.string().optional(),
});

/** Connection settings of the running stack, as `stack up` wrote them. */
export type StackEnv = z.infer<typeof schema>;

let cachedEnv: StackEnv | undefined;

/**
 * Reads the env file written by `stack up` (the variables in process.env win, so a Docker stack with the
 * same variable names works too).
 */
export async function stackEnv(): Promise<StackEnv> {
  if (cachedEnv) return cachedEnv;
  const file = join(process.env.PP_STACK_HOME ?? join(repoRoot, ".stack"), "stack.env");
  const fromFile = await readEnvFile(file).catch((err: Error) => {
    throw new Error(`cannot read ${file} (${err.message}); run \`make stack-up\` or \`pnpm stack up\` first`);
  });
  cachedEnv = schema.parse({ ...fromFile, ...pick(process.env, Object.keys(schema.shape)) });
  return cachedEnv;
}

function pick(env: NodeJS.ProcessEnv, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (env[k] !== undefined) out[k] = env[k];
  return out;
}
