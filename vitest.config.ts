import { defineConfig } from "vitest/config";

/**
 * One run for the whole repo: unit tests and integration tests on the real local stack. The globalSetup
 * brings the stack up if it is down; each test isolates itself with fresh topics, buckets and databases.
 */
export default defineConfig({
  test: {
    include: ["{infra,migrations,packages,services,tests}/**/src/**/*.test.ts"],
    exclude: ["**/node_modules/**"],
    globalSetup: ["./packages/testkit/src/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores; the stack's JVMs need some of them too.
    maxWorkers: 2,
  },
});
