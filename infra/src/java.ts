import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A JDK found on this machine, with its feature version (17, 21, 25…). */
export interface Jdk {
  home: string;
  java: string;
  major: number;
}

async function probe(home: string): Promise<Jdk | undefined> {
  const java = join(home, "bin", "java");
  try {
    // `java -version` prints to stderr, e.g. `openjdk version "25.0.1" 2025-10-21`.
    const { stderr } = await run(java, ["-version"]);
    const m = /version "(\d+)(?:\.(\d+))?/.exec(stderr);
    if (!m) return undefined;
    const first = Number(m[1]);
    const major = first === 1 ? Number(m[2]) : first;
    return { home, java, major };
  } catch {
    return undefined;
  }
}

/**
 * Finds the newest JDK of at least `minMajor`: the given home first, then JAVA_HOME, then /usr/lib/jvm/*.
 * The registry (Quarkus) needs 21+, while the machine's default java is 17.
 */
export async function findJdk(minMajor: number, preferred?: string): Promise<Jdk> {
  const candidates: string[] = [];
  if (preferred) candidates.push(preferred);
  if (process.env.JAVA_HOME) candidates.push(process.env.JAVA_HOME);
  try {
    for (const d of await readdir("/usr/lib/jvm")) candidates.push(join("/usr/lib/jvm", d));
  } catch {
    // No /usr/lib/jvm on this machine; only explicit homes are tried.
  }
  const found = (await Promise.all(candidates.map(probe))).filter(
    (j): j is Jdk => !!j && j.major >= minMajor,
  );
  found.sort((a, b) => b.major - a.major);
  const best = found[0];
  if (!best) {
    throw new Error(
      `No JDK >= ${minMajor} found (looked at PP_JAVA_HOME, JAVA_HOME and /usr/lib/jvm/*). ` +
        `Install one (e.g. apt-get install openjdk-21-jdk-headless or Temurin 21+) and set PP_JAVA_HOME to it.`,
    );
  }
  return best;
}
