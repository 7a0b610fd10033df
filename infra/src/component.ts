import type { StackConfig } from "./config.ts";
import type { Jdk } from "./java.ts";

/**
 * How long one health probe may take. Generous: under a full test run on two cores a busy JVM can take
 * seconds to answer, and a probe that gives up too early reports a healthy server as down.
 */
export const healthTimeoutMs = 5000;

/** What every component step gets: parsed settings and a lazily found JDK. */
export interface StackContext {
  config: StackConfig;
  jdk(minMajor: number): Promise<Jdk>;
  say(line: string): void;
}

/** One server of the stack. `managed: false` means the machine runs it and the stack only checks it. */
export interface Component {
  name: string;
  version: string;
  /** The port people connect to (shown by `status`). */
  port(config: StackConfig): number;
  managed: boolean;
  /** Downloads what is missing into the cache; a no-op when the cache is complete. */
  install(ctx: StackContext): Promise<void>;
  /** Starts the server (already installed and known to be down); returns the pid, if the stack owns it. */
  start(ctx: StackContext): Promise<number | undefined>;
  /** A real health check: the server answers its own protocol, not just an open port. */
  healthy(ctx: StackContext): Promise<boolean>;
  /** How long a cold start may take before `up` gives up. */
  startTimeoutMs: number;
  /** Connection settings this component contributes to the env file. */
  env(config: StackConfig): Record<string, string>;
}
