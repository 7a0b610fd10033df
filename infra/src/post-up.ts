import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { StackConfig } from "./config.ts";
import { repoRoot } from "./config.ts";
import { stackEnv } from "./env-file.ts";

const run = promisify(execFile);

/**
 * Registers every event schema once the registry is healthy, so services in dev and tests find their
 * subjects. It runs the contracts package's own script as a child process: the stack CLI does not depend
 * on the application's packages.
 */
export async function registerSchemas(config: StackConfig): Promise<string> {
  const script = join(repoRoot, "packages", "contracts", "src", "register-cli.ts");
  try {
    await access(script);
  } catch {
    return "no schema catalog to register";
  }
  try {
    const { stdout } = await run(process.execPath, [script], {
      env: { ...process.env, ...stackEnv(config) },
    });
    return `registered ${stdout.trim().split("\n").length} schema subjects`;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`registering schemas failed: ${e.stderr?.trim() || e.message}`);
  }
}
