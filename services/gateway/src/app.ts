import type { MikroORM } from "@mikro-orm/postgresql";
import { createJsonLogger, type Logger } from "@postprocess/kafka";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { except } from "hono/combine";
import { requestId } from "hono/request-id";
import type { AppEnv, Deps, Publish } from "./deps.ts";
import { ApiError } from "./errors.ts";
import { requireAdminKey } from "./middleware/admin-key.ts";
import { requireApiKey } from "./middleware/api-key.ts";
import { corsFor } from "./middleware/cors.ts";
import { handleError, handleNotFound } from "./middleware/error-handler.ts";
import { rateLimit } from "./middleware/rate-limit.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { recordApiUsage } from "./middleware/usage.ts";
import { operations } from "./openapi/operations.ts";
import { registerAdmin } from "./routes/admin.ts";
import { registerApiKeys } from "./routes/api-keys.ts";
import { registerCallbackDeliveries } from "./routes/callback-deliveries.ts";
import { registerCallbackEndpoint } from "./routes/callback-endpoint.ts";
import { registerDocs } from "./routes/docs.ts";
import { registerElevenLabsIntegration } from "./routes/elevenlabs-integration.ts";
import { registerGetFailed } from "./routes/get-failed.ts";
import { registerGetFile } from "./routes/get-file.ts";
import { registerGetHistory } from "./routes/get-history.ts";
import { registerGetStats } from "./routes/get-stats.ts";
import { registerGetStatus } from "./routes/get-status.ts";
import { registerHealth } from "./routes/health.ts";
import { registerPostCancel } from "./routes/post-cancel.ts";
import { registerPostConversation } from "./routes/post-conversation.ts";
import { registerPostElevenLabsWebhook } from "./routes/post-elevenlabs-webhook.ts";
import { registerSettings } from "./routes/settings.ts";

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
  /** SHA-256 (hex) of the operator's admin key; without it the admin API does not exist. */
  adminKeySha256?: string;
  /** Accept plain-http callback URLs (local receivers in dev and tests); https only otherwise. */
  callbackAllowHttp?: boolean;
  /** Browser origins allowed to call the API (CORS); none by default, and then no CORS header at all. */
  corsOrigins?: readonly string[];
  /** Lifetime of a download link; default 15 minutes. */
  downloadUrlExpirySeconds?: number;
  /** ElevenLabs webhook limits; defaults: 10 MiB of JSON, 250 MiB of recording. */
  webhookLimits?: Partial<Deps["webhookLimits"]>;
}

const MiB = 1024 * 1024;

/** Builds the gateway's HTTP app. Nothing listens: `main.ts` serves it, tests call `app.request()`. */
export function createApp(opts: AppOptions): Hono<AppEnv> {
  const deps: Deps = {
    orm: opts.orm,
    publish: opts.publish,
    publicBaseUrl: opts.publicBaseUrl,
    now: opts.now ?? (() => new Date()),
    log: opts.log ?? createJsonLogger({ bindings: { service: "gateway" } }),
    bodyLimitBytes: opts.bodyLimitBytes ?? 256 * 1024,
    webhookLimits: { jsonBytes: 10 * MiB, audioBytes: 250 * MiB, ...opts.webhookLimits },
    secrets: opts.secrets,
    s3: opts.s3,
    downloadUrlExpirySeconds: opts.downloadUrlExpirySeconds ?? 15 * 60,
  };
  const app = new Hono<AppEnv>();

  // First, so every response, errors included, carries the id (an incoming one when it is well-formed).
  app.use(requestId({ limitLength: 128 }));
  app.use(securityHeaders);
  // Before authentication: a preflight carries no key.
  if (opts.corsOrigins?.length) app.use(corsFor(opts.corsOrigins));
  app.use(async (c, next) => {
    c.set("deps", deps);
    c.set("em", deps.orm.em.fork());
    await next();
  });
  // Webhooks stream their bodies under their own limits (`deps.webhookLimits`); a recording is far bigger.
  app.use(
    except(
      "/api/v1/webhooks/*",
      bodyLimit({
        maxSize: deps.bodyLimitBytes,
        onError: () => {
          throw new ApiError("PAYLOAD_TOO_LARGE", `request body exceeds ${deps.bodyLimitBytes} bytes`);
        },
      }),
    ),
  );
  // Customer API: the key names the account; usage is counted around the limiter so 429s are counted too.
  // Webhooks are not called with our keys: they prove themselves by signature (their own route).
  for (const mw of [recordApiUsage, requireApiKey, rateLimit]) {
    app.use("/api/*", except("/api/v1/webhooks/*", mw));
  }

  app.use("/admin/*", requireAdminKey(opts.adminKeySha256));

  registerHealth(app);
  registerAdmin(app);
  registerApiKeys(app);
  registerPostConversation(app);
  registerGetStatus(app);
  registerGetHistory(app);
  registerGetFailed(app);
  registerGetStats(app);
  registerPostCancel(app);
  registerGetFile(app);
  registerSettings(app);
  registerDocs(app, operations);
  registerCallbackEndpoint(app, { allowHttp: opts.callbackAllowHttp ?? false });
  registerCallbackDeliveries(app);
  registerElevenLabsIntegration(app);
  registerPostElevenLabsWebhook(app);

  app.onError(handleError);
  app.notFound(handleNotFound);
  return app;
}
