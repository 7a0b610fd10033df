import { mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isAlive } from "./process.ts";

/**
 * Serialises `stack up`/`down` across processes (make, a vitest globalSetup and a second terminal can all
 * call `up`). A lock whose owner died is taken over.
 */
export async function withLock<T>(runDir: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const dir = join(runDir, "stack.lock");
  await mkdir(runDir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(dir);
      await writeFile(join(dir, "owner"), String(process.pid));
      break;
    } catch {
      const owner = Number(await readFile(join(dir, "owner"), "utf8").catch(() => "0"));
      // Without an owner file the lock is either being taken right now or was left half-made long ago.
      const age = Date.now() - ((await stat(dir).catch(() => undefined))?.mtimeMs ?? 0);
      if (owner ? !isAlive(owner) : age > 5000) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another stack command (pid ${owner}) holds ${dir}`);
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
