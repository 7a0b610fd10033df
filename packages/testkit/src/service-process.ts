import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";
import { repoRoot } from "@postprocess/infra";

/** A service's own `main.ts` running as a child process, with its output kept for assertions. */
export interface ServiceProcess {
  name: string;
  output(): string;
  /** True once the process has exited. */
  exited(): boolean;
  /** SIGTERM, then the exit code (or "timeout" if it did not exit within `ms`). */
  stop(ms?: number): Promise<number | "timeout">;
}

const watchdog = join(repoRoot, "packages", "testkit", "src", "orphan-watchdog.ts");
const running = new Set<ChildProcess>();
// Last resort when the runner exits with services still up (the watchdog covers a killed runner).
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export function startService(name: string, env: Record<string, string>): ServiceProcess {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", watchdog, join(repoRoot, "services", name, "src", "main.ts")],
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  running.add(child);
  child.once("exit", () => running.delete(child));
  let out = "";
  child.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? 128 : 1))),
  );
  return {
    name,
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop(ms = 15_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms).unref());
      const code = await Promise.race([exited, timer]);
      if (code === "timeout") child.kill("SIGKILL");
      return code;
    },
  };
}

/** A TCP port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
