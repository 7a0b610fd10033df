import type { MikroORM } from "@mikro-orm/postgresql";
import { createJsonLogger, type Logger } from "@postprocess/kafka";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import type { AppEnv, Deps, Publish } from "./deps.ts";
import { ApiError } from "./errors.ts";
import { requireAccount } from "./middleware/account.ts";
import { handleError, handleNotFound } from "./middleware/error-handler.ts";
import { registerGetFailed } from "./routes/get-failed.ts";
import { registerGetHistory } from "./routes/get-history.ts";
import { registerGetStats } from "./routes/get-stats.ts";
import { registerGetStatus } from "./routes/get-status.ts";
import { registerHealth } from "./routes/health.ts";
import { registerPostCancel } from "./routes/post-cancel.ts";
import { registerPostConversation } from "./routes/post-conversation.ts";

/** What `createApp` needs; the optional parts have production defaults. */
export interface AppOptions {
  orm: MikroORM;
  publish: Publish;
  publicBaseUrl: string;
  now?: () => Date;
  log?: Logger;
  /** Default 256 KiB: a long inline transcript fits; anything larger is almost certainly a mistake. */
  bodyLimitBytes?: number;
  secrets: Deps["secrets"];
  s3: Deps["s3"];
}

/** Builds the gateway's HTTP app. Nothing listens: `main.ts` serves it, tests call `app.request()`. */
export function createApp(opts: AppOptions): Hono<AppEnv> {
  const deps: Deps = {
    orm: opts.orm,
    publish: opts.publish,
    publicBaseUrl: opts.publicBaseUrl,
    now: opts.now ?? (() => new Date()),
    log: opts.log ?? createJsonLogger({ bindings: { service: "gateway" } }),
    bodyLimitBytes: opts.bodyLimitBytes ?? 256 * 1024,
    secrets: opts.secrets,
    s3: opts.s3,
  };
  const app = new Hono<AppEnv>();

  // First, so every response, errors included, carries the id (an incoming one when it is well-formed).
  app.use(requestId({ limitLength: 128 }));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("em", deps.orm.em.fork());
    await next();
  });
  app.use(
    bodyLimit({
      maxSize: deps.bodyLimitBytes,
      onError: () => {
        throw new ApiError("PAYLOAD_TOO_LARGE", `request body exceeds ${deps.bodyLimitBytes} bytes`);
      },
    }),
  );
  app.use("/api/*", requireAccount);

  registerHealth(app);
  registerPostConversation(app);
  registerGetStatus(app);
  registerGetHistory(app);
  registerGetFailed(app);
  registerGetStats(app);
  registerPostCancel(app);

  app.onError(handleError);
  app.notFound(handleNotFound);
  return app;
}
