import { join } from "node:path";
import { type Component, healthTimeoutMs } from "../component.ts";
import type { StackConfig } from "../config.ts";
import { cached, mavenCopy } from "../download.ts";
import { lightJvm, processFiles, startDetached } from "../process.ts";

const VERSION = "2.1.5";
const jar = (c: StackConfig) =>
  join(c.PP_CACHE_DIR, `greenmail-${VERSION}`, `greenmail-standalone-${VERSION}.jar`);

/** GreenMail: a real SMTP and IMAP server whose REST API lets tests read what was delivered. */
export const mail: Component = {
  name: "mail",
  version: VERSION,
  port: (c) => c.PP_SMTP_PORT,
  managed: true,
  startTimeoutMs: 45_000,
  async install(ctx) {
    await cached(join(ctx.config.PP_CACHE_DIR, `greenmail-${VERSION}`), async (dir) => {
      ctx.say(`mail: downloading GreenMail ${VERSION} from Maven Central`);
      await mavenCopy(`com.icegreen:greenmail-standalone:${VERSION}`, dir);
    });
  },
  async start(ctx) {
    const c = ctx.config;
    const jdk = await ctx.jdk(17);
    return startDetached(
      processFiles(c.runDir, c.logDir, "mail"),
      jdk.java,
      [
        ...lightJvm,
        "-Xmx192m",
        "-Dgreenmail.smtp.hostname=127.0.0.1",
        `-Dgreenmail.smtp.port=${c.PP_SMTP_PORT}`,
        "-Dgreenmail.imap.hostname=127.0.0.1",
        `-Dgreenmail.imap.port=${c.PP_IMAP_PORT}`,
        "-Dgreenmail.api.hostname=127.0.0.1",
        `-Dgreenmail.api.port=${c.PP_MAIL_API_PORT}`,
        // Any address receives mail: tests use a fresh mailbox per test address.
        "-Dgreenmail.auth.disabled",
        "-jar",
        jar(c),
      ],
      { cwd: c.runDir },
    );
  },
  async healthy(ctx) {
    const res = await fetch(`http://127.0.0.1:${ctx.config.PP_MAIL_API_PORT}/api/service/readiness`, {
      signal: AbortSignal.timeout(healthTimeoutMs),
    });
    return res.ok;
  },
  env: (c) => ({
    SMTP_HOST: "127.0.0.1",
    SMTP_PORT: String(c.PP_SMTP_PORT),
    MAIL_API_URL: `http://127.0.0.1:${c.PP_MAIL_API_PORT}`,
  }),
};
