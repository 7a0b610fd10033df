import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { components } from "./components/index.ts";
import type { StackConfig } from "./config.ts";

/** All connection settings of the stack, as services and tests read them. */
export function stackEnv(config: StackConfig): Record<string, string> {
  return Object.assign({}, ...components.map((c) => c.env(config)));
}

/** Writes the gitignored env file that services, tests and `make demo` source. */
export async function writeEnvFile(config: StackConfig): Promise<void> {
  const env = { ...stackEnv(config), SECRETS_KEY: await devSecretsKey(dirname(config.envFile)) };
  const body = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n");
  await mkdir(dirname(config.envFile), { recursive: true });
  await writeFile(config.envFile, `# written by \`stack up\`; do not edit\n${body}\n`);
}

/** Parses a KEY=VALUE env file (comments and blank lines ignored). */
export async function readEnvFile(path: string): Promise<Record<string, string>> {
  const text = await readFile(path, "utf8");
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/**
 * The key that seals stored secrets (webhook and callback signing secrets) for this local stack: made once
 * and kept beside the stack's data, so secrets sealed by one run open in the next. Production deployments
 * set SECRETS_KEY from their own secret store; this one never leaves the machine.
 */
async function devSecretsKey(home: string): Promise<string> {
  const path = join(home, "secrets.key");
  try {
    return (await readFile(path, "utf8")).trim();
  } catch {
    const key = randomBytes(32).toString("base64");
    await mkdir(home, { recursive: true });
    await writeFile(path, `${key}\n`, { mode: 0o600, flag: "wx" }).catch(() => undefined);
    return (await readFile(path, "utf8")).trim();
  }
}
