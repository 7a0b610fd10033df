import { readdirSync, readFileSync } from "node:fs";

/** Cumulative CPU ticks (user + system) of every process, with a short name from its command line. */
export type CpuSnapshot = Map<number, { name: string; ticks: number }>;

/** Clock ticks per second on Linux (USER_HZ); /proc/<pid>/stat reports CPU time in these. */
const hz = 100;

/**
 * Reads /proc (Linux); elsewhere an empty snapshot, and the report prints nothing. `self` names the calling
 * process (a benchmark script says what it runs besides measuring).
 */
export function cpuSnapshot(opts: { self?: string } = {}): CpuSnapshot {
  const snap: CpuSnapshot = new Map();
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return snap;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ticks = Number(fields[11]) + Number(fields[12]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
      const name = Number(pid) === process.pid && opts.self ? opts.self : shortName(cmd);
      snap.set(Number(pid), { name, ticks });
    } catch {
      // The process ended meanwhile.
    }
  }
  return snap;
}

/** "services/report/src/main.ts" → report; java → which stack server (`java kafka`…); postgres → postgres. */
function shortName(cmd: string[]): string {
  const service = cmd.map((a) => /services\/([\w-]+)\/src\/main\.ts$/.exec(a)?.[1]).find(Boolean);
  if (service) return service;
  if (cmd[0]?.endsWith("java")) {
    const known = ["kafka", "apicurio", "s3proxy", "greenmail"].find((k) => cmd.some((a) => a.includes(k)));
    return `java ${known ?? "?"}`;
  }
  if (cmd[0]?.startsWith("postgres")) return "postgres";
  return cmd[0]?.split("/").at(-1) ?? "?";
}

/** CPU milliseconds the processes `pick` selects used between two snapshots. */
export function cpuMs(
  before: CpuSnapshot,
  after: CpuSnapshot,
  pick: (pid: number, name: string) => boolean,
): number {
  let ticks = 0;
  for (const [pid, a] of after) if (pick(pid, a.name)) ticks += a.ticks - (before.get(pid)?.ticks ?? 0);
  return (ticks * 1000) / hz;
}

/** Prints the CPU seconds each kind of process used between two snapshots, most first. */
export function printCpu(before: CpuSnapshot, after: CpuSnapshot, wallMs: number): void {
  const byName = new Map<string, number>();
  for (const [pid, a] of after) {
    const ticks = a.ticks - (before.get(pid)?.ticks ?? 0);
    if (ticks > 0) byName.set(a.name, (byName.get(a.name) ?? 0) + ticks);
  }
  if (byName.size === 0) return;
  const total = [...byName.values()].reduce((s, t) => s + t, 0);
  console.log(
    `CPU seconds by process over ${(wallMs / 1000).toFixed(1)} s wall (${(total / hz).toFixed(1)} s in all):`,
  );
  for (const [name, ticks] of [...byName].sort((x, y) => y[1] - x[1]).slice(0, 14))
    console.log(`  ${(ticks / hz).toFixed(1).padStart(6)}  ${name}`);
}
