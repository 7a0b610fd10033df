import { formatStatus, loadStackConfig, status } from "@postprocess/infra";

/**
 * `make demo`: for now the system is the stack itself; this prints one health line per component.
 * Later issues extend it to push a demo conversation through the pipeline to an emailed PDF.
 */
const rows = await status(loadStackConfig());
console.log(formatStatus(rows));
const down = rows.filter((r) => r.state !== "healthy");
if (down.length) {
  console.error(
    `not healthy: ${down.map((r) => r.name).join(", ")} — see \`make stack-status\` and \`pnpm stack logs <name>\``,
  );
  process.exit(1);
}
console.log("every component is healthy");
