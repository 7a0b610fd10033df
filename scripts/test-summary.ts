import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Prints `N passed, N failed, N skipped` from vitest's JSON report, for CI's log. */
const file = process.argv[2] ?? join(import.meta.dirname, "..", "test-results", "vitest.json");
try {
  const r = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  console.log(
    `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`,
  );
} catch (err) {
  console.log(`no test report at ${file}: ${(err as Error).message}`);
  process.exit(1);
}
