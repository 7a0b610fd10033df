import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { errorResponse } from "../middleware/error-handler.ts";
import type { Operation } from "../openapi/operation.ts";
import { sqlOn } from "../sql.ts";

/** The OpenAPI descriptions of the probes. */
export const healthOperations: Operation[] = [
  {
    method: "get",
    path: "/healthz",
    operationId: "liveness",
    summary: "Liveness: the process answers",
    description: "Touches no dependency, so a database outage does not get every replica restarted.",
    tags: ["Health"],
    security: "none",
    responses: { 200: { description: "Alive.", schema: z.object({ status: z.literal("ok") }) } },
    errors: [],
  },
  {
    method: "get",
    path: "/readyz",
    operationId: "readiness",
    summary: "Readiness: PostgreSQL answers",
    description: "503 while the database is unreachable: the load balancer stops sending traffic here.",
    tags: ["Health"],
    security: "none",
    responses: { 200: { description: "Ready.", schema: z.object({ status: z.literal("ready") }) } },
    errors: [],
  },
];

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
