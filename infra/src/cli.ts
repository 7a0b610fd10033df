#!/usr/bin/env node
import { createReadStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { componentNamed } from "./components/index.ts";
import { loadStackConfig } from "./config.ts";
import { processFiles } from "./process.ts";
import { down, formatStatus, reset, status, up } from "./stack.ts";

const usage = `usage: stack <command>
  up             start every component that is down (idempotent), write .stack/stack.env
  down           stop the components the stack started
  status         one line per component; exit 1 if any is not healthy
  logs <name>    print a component's log (kafka, registry, s3, mail)
  reset          stop everything and wipe the stack's data (downloads stay cached)
  env            print the connection settings file's path`;

async function main(argv: string[]): Promise<number> {
  const config = loadStackConfig();
  const [command, arg] = argv;
  switch (command) {
    case "up": {
      const t0 = performance.now();
      const rows = await up(config);
      console.log(formatStatus(rows));
      console.log(
        `stack up in ${((performance.now() - t0) / 1000).toFixed(1)} s; settings in ${config.envFile}`,
      );
      return rows.every((r) => r.state === "healthy") ? 0 : 1;
    }
    case "status": {
      const rows = await status(config);
      console.log(formatStatus(rows));
      return rows.every((r) => r.state === "healthy") ? 0 : 1;
    }
    case "down": {
      const stopped = await down(config);
      console.log(stopped.length ? `stopped: ${stopped.join(", ")}` : "nothing was running");
      return 0;
    }
    case "reset":
      await reset(config);
      console.log(`wiped ${config.PP_STACK_HOME} and the stack's databases`);
      return 0;
    case "logs": {
      if (!arg) throw new Error("logs needs a component name");
      const { logFile } = processFiles(config.runDir, config.logDir, componentNamed(arg).name);
      // A reader that stops early (`| head`) closes stdout: that is the reader's choice, not an error.
      process.stdout.on("error", () => process.exit(0));
      await pipeline(createReadStream(logFile), process.stdout);
      return 0;
    }
    case "env":
      console.log(config.envFile);
      return 0;
    default:
      console.error(usage);
      return command ? 2 : 0;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`stack: ${err.message}`);
    process.exit(1);
  },
);
