import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

/**
 * `make test`: type-check and lint the whole repo, then run every vitest test (unit and integration on the
 * real stack) in one run whose JSON report `.ci/run` summarises.
 */
const root = join(import.meta.dirname, "..");
const reportDir = join(root, "test-results");
mkdirSync(reportDir, { recursive: true });

function step(name: string, cmd: string, args: string[]): number {
  console.log(`\n▶ ${name}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: "inherit" });
  return r.status ?? 1;
}

const bin = (name: string) => join(root, "node_modules", ".bin", name);
let failed = 0;
failed ||= step("typecheck", bin("turbo"), ["run", "typecheck", "--output-logs=errors-only"]);
failed ||= step("typecheck (root scripts)", bin("tsc"), ["-p", "tsconfig.json"]);
failed ||= step("lint", bin("biome"), ["check", "."]);
const tests = step("tests", bin("vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${join(reportDir, "vitest.json")}`,
  ...process.argv.slice(2),
]);
process.exit(failed || tests);
