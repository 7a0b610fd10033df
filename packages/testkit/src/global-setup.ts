import { formatStatus, loadStackConfig, status, up } from "@postprocess/infra";

/**
 * Vitest globalSetup: brings the local stack up if any component is down, so `vitest` works on its own
 * as well as under `make test`. It does not stop the stack afterwards: the next run reuses it.
 */
export default async function setup(): Promise<void> {
  const config = loadStackConfig();
  const rows = await status(config);
  if (rows.every((r) => r.state === "healthy")) return;
  const after = await up(config);
  if (!after.every((r) => r.state === "healthy")) {
    throw new Error(`the local stack is not healthy:\n${formatStatus(after)}`);
  }
}
