import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { isAlive, processFiles, runningPid, startDetached, stopProcess } from "./process.ts";

it("starts a detached process, finds it through its pid file and stops it", async () => {
  const dir = await mkdtemp(join(tmpdir(), "proc-"));
  const files = processFiles(join(dir, "run"), join(dir, "logs"), "sleeper");
  const pid = await startDetached(files, "sleep", ["30"], { cwd: dir });
  expect(await runningPid(files)).toBe(pid);
  expect(await stopProcess(files, 2000)).toBe(true);
  expect(isAlive(pid)).toBe(false);
  expect(await runningPid(files)).toBeUndefined();
});

it("does not count a dead but unreaped (zombie) process as alive", async () => {
  // The inner sleep's parent becomes `sleep 30` (exec), which never waits for children: a real zombie.
  const parent = spawn("sh", ["-c", "sleep 0.1 & echo $!; exec sleep 30"]);
  const zombie = Number(
    await new Promise<string>((r) => parent.stdout.once("data", (d: Buffer) => r(d.toString()))),
  );
  try {
    await new Promise((r) => setTimeout(r, 400));
    expect(readFileSync(`/proc/${zombie}/stat`, "utf8")).toMatch(/\) Z /);
    expect(isAlive(zombie)).toBe(false);
    expect(isAlive(parent.pid!)).toBe(true);
  } finally {
    parent.kill("SIGKILL");
  }
});
