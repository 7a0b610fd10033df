import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * JVM flags for the light servers (S3Proxy, GreenMail, the registry): the client compiler only and a serial
 * collector start them with a fraction of the CPU, which matters when four JVMs boot at once on two cores;
 * their throughput needs are small. Kafka keeps the JVM's defaults.
 */
export const lightJvm = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k"];

/** Where a component's pid and log live. */
export interface ProcessFiles {
  pidFile: string;
  logFile: string;
}

export function processFiles(runDir: string, logDir: string, name: string): ProcessFiles {
  return { pidFile: join(runDir, `${name}.pid`), logFile: join(logDir, `${name}.log`) };
}

/**
 * True when a process with this pid runs. Signal 0 alone is not enough: a killed server whose parent (the
 * CLI that started it) is gone can linger as a zombie until something reaps it, and zombies accept signal 0.
 */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 3, after the parenthesised command name, is the state; Z is a zombie, X is dead.
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    // No /proc (not Linux): trust the signal.
    return true;
  }
}

/** The pid recorded for a component, if that process is still running. */
export async function runningPid(files: ProcessFiles): Promise<number | undefined> {
  let raw: string;
  try {
    raw = await readFile(files.pidFile, "utf8");
  } catch {
    return undefined;
  }
  const pid = Number(raw.trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/**
 * Starts a long-running server detached from the CLI, output appended to its log file, so it outlives
 * `stack up` and is found again through its pid file.
 */
export async function startDetached(
  files: ProcessFiles,
  command: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<number> {
  await mkdir(join(files.pidFile, ".."), { recursive: true });
  await mkdir(join(files.logFile, ".."), { recursive: true });
  const log = await open(files.logFile, "a");
  try {
    const child = spawn(command, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      detached: true,
      stdio: ["ignore", log.fd, log.fd],
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error(`could not start ${command}`);
    child.unref();
    await writeFile(files.pidFile, `${pid}\n`);
    return pid;
  } finally {
    await log.close();
  }
}

/** Sends SIGTERM to the process group, waits up to `graceMs`, then SIGKILLs what is left. */
export async function stopProcess(files: ProcessFiles, graceMs = 15_000): Promise<boolean> {
  const pid = await runningPid(files);
  await rm(files.pidFile, { force: true });
  if (pid === undefined) return false;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    }
  };
  signal("SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) signal("SIGKILL");
  while (isAlive(pid)) await sleep(50);
  return true;
}

/** Resident set size of a process in MB, read from /proc (Linux only). */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}
