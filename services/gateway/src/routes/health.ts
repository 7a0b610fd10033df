import type { Hono } from "hono";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { errorResponse } from "../middleware/error-handler.ts";
import { sqlOn } from "../sql.ts";

/**
 * `GET /healthz` (liveness: the process answers; never touches a dependency, so a database outage does not
 * get every replica restarted) and `GET /readyz` (readiness: PostgreSQL answers, else 503 and the load
 * balancer stops sending traffic here).
 */
export function registerHealth(app: Hono<AppEnv>): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }, 200));
  app.get("/readyz", async (c) => {
    try {
      await sqlOn(c.var.em)("SELECT 1");
    } catch (cause) {
      c.var.deps.log.warn({ requestId: c.var.requestId, err: cause }, "not ready: database unreachable");
      return errorResponse(c, new ApiError("UNAVAILABLE", "database unreachable", { cause }));
    }
    return c.json({ status: "ready" }, 200);
  });
}
