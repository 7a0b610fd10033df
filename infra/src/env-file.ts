import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { components } from "./components/index.ts";
import type { StackConfig } from "./config.ts";

/** All connection settings of the stack, as services and tests read them. */
export function stackEnv(config: StackConfig): Record<string, string> {
  return Object.assign({}, ...components.map((c) => c.env(config)));
}

/** Writes the gitignored env file that services, tests and `make demo` source. */
export async function writeEnvFile(config: StackConfig): Promise<void> {
  const env = stackEnv(config);
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
