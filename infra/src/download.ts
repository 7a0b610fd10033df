import { execFile } from "node:child_process";
import { access, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A cache folder counts only once its marker exists, so an interrupted download is redone. */
export async function cached(dir: string, fill: (dir: string) => Promise<void>): Promise<string> {
  const marker = join(dir, ".complete");
  try {
    await access(marker);
    return dir;
  } catch {
    // Not cached yet (or half-written): start clean.
  }
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await fill(dir);
  await writeFile(marker, new Date().toISOString());
  return dir;
}

// Maven's local repository is not safe for concurrent writers (two processes fetching the same plugin
// can leave a corrupt jar), so downloads share one queue; only the servers' starts run in parallel.
let mavenQueue: Promise<unknown> = Promise.resolve();

function mvn(args: string[], cwd?: string): Promise<void> {
  const next = mavenQueue.then(() => runMvn(args, cwd));
  mavenQueue = next.catch(() => {});
  return next;
}

async function runMvn(args: string[], cwd?: string): Promise<void> {
  try {
    await run("mvn", ["-B", "-q", ...args], { cwd, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`mvn ${args.join(" ")} failed: ${(e.stdout ?? "") + (e.stderr ?? "") || e.message}`);
  }
}

/** Fetches one artifact from Maven Central into `outDir` (the registries this machine reaches). */
export function mavenCopy(artifact: string, outDir: string): Promise<void> {
  return mvn(["dependency:copy", `-Dartifact=${artifact}`, `-DoutputDirectory=${outDir}`]);
}

/** Copies the runtime dependency closure of a pom into `outDir`. */
export function mavenCopyDependencies(pomDir: string, outDir: string): Promise<void> {
  return mvn(
    ["dependency:copy-dependencies", "-DincludeScope=runtime", `-DoutputDirectory=${outDir}`],
    pomDir,
  );
}

export async function untar(archive: string, into: string): Promise<void> {
  await run("tar", ["-xzf", archive, "-C", into]);
}
