import { formatStatus, loadStackConfig, status, up } from "@postprocess/infra";

/**
 * Vitest globalSetup: brings the local stack up if any component is down, so `vitest` works on its own
 * as well as under `make test`. It does not stop the stack afterwards: the next run reuses it.
 */
export default async function setup(): Promise<void> {
  const config = loadStackConfig();
  const rows = await status(config);
  if (rows.every((r) => r.state === "healthy")) return;
  let after = await up(config);
  // A probe can miss a busy (but healthy) server once; look again for a while before failing the run.
  for (let i = 0; i < 10 && !after.every((r) => r.state === "healthy"); i++) {
    await new Promise((r) => setTimeout(r, 2000));
    after = await status(config);
  }
  if (!after.every((r) => r.state === "healthy")) {
    throw new Error(`the local stack is not healthy:\n${formatStatus(after)}`);
  }
}
