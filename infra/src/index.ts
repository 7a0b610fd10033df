/** Programmatic access to the local stack, for the test kit and the demo. */

export { pgUrl } from "./components/postgres.ts";
export { databases, loadStackConfig, repoRoot, type StackConfig } from "./config.ts";
export { readEnvFile, stackEnv } from "./env-file.ts";
export { type ComponentStatus, down, formatStatus, reset, status, up } from "./stack.ts";
