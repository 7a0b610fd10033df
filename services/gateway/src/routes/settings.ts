import type { Hono } from "hono";
import type { AppEnv } from "../deps.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import {
  accountSettings,
  readSettings,
  settingsPatch,
  updateSettings,
} from "../settings/account-settings.ts";
import { sqlOn } from "../sql.ts";
import { parseOrThrow } from "../validation.ts";

const appliesTo =
  "Jobs accepted after a change run with the new values; each job keeps the settings it was accepted with " +
  "(shown in its status).";

/** The OpenAPI descriptions of the settings routes. */
export const settingsOperations: Operation[] = [
  {
    method: "get",
    path: "/api/v1/settings",
    operationId: "getSettings",
    summary: "The account's settings",
    description: `The defaults when the account never changed any. ${appliesTo}`,
    tags: ["Settings"],
    responses: { 200: { description: "Every setting.", schema: accountSettings } },
    errors: [],
  },
  {
    method: "patch",
    path: "/api/v1/settings",
    operationId: "updateSettings",
    summary: "Change some of the account's settings",
    description:
      "Only the fields sent change; null resets a nullable one. Email templates may use only the mailer's " +
      `placeholders ({{summary}}, {{topic}}, …). ${appliesTo}`,
    tags: ["Settings"],
    body: { schema: settingsPatch },
    responses: { 200: { description: "Every setting, after the change.", schema: accountSettings } },
    errors: [],
  },
];

/** `GET` and `PATCH /api/v1/settings`: the caller's account settings (the key decides the account). */
export function registerSettings(app: Hono<AppEnv>): void {
  app.get("/api/v1/settings", async (c) => c.json(await readSettings(sqlOn(c.var.em), c.var.accountId), 200));

  app.patch("/api/v1/settings", jsonBody(), async (c) => {
    const patch = parseOrThrow(settingsPatch, c.var.body, "VALIDATION_FAILED", "settings are invalid");
    const { accountId, requestId, deps } = c.var;
    const settings = await updateSettings(sqlOn(c.var.em), accountId, patch);
    // Which settings changed, never their values (templates and prompts can be long and are the account's).
    deps.log.info({ requestId, accountId, changed: Object.keys(patch) }, "settings updated");
    return c.json(settings, 200);
  });
}
