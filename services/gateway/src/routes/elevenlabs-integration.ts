import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import type { Operation } from "../openapi/operation.ts";
import { sqlOn } from "../sql.ts";
import { parseOrThrow } from "../validation.ts";
import {
  dropPreviousSecret,
  getIntegration,
  integrationInput,
  putIntegration,
} from "../webhooks/integration-store.ts";

const PATH = "/api/v1/integrations/elevenlabs";

/** The integration as GET and PUT answer it (documentation of `IntegrationView`). */
const integrationView = z.object({
  provider: z.literal("elevenlabs"),
  webhook_url: z.string().describe("Where to point the agent's post-call webhook in ElevenLabs."),
  has_webhook_secret: z.boolean(),
  has_previous_webhook_secret: z.boolean().describe("A rotation is under way: both secrets are accepted."),
  has_api_key: z.boolean(),
  agent_id: z.string().nullable(),
  recipient_email: z.string(),
  reconcile_enabled: z.boolean(),
  reconciled_until: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** The OpenAPI descriptions of the integration routes. */
export const elevenLabsIntegrationOperations: Operation[] = [
  {
    method: "get",
    path: PATH,
    operationId: "getElevenLabsIntegration",
    summary: "The account's ElevenLabs integration",
    description: "Secrets are write-only: only whether each is set is shown.",
    tags: ["ElevenLabs"],
    responses: { 200: { description: "The integration.", schema: integrationView } },
    errors: ["NOT_CONFIGURED"],
  },
  {
    method: "put",
    path: PATH,
    operationId: "putElevenLabsIntegration",
    summary: "Create or update the ElevenLabs integration",
    description:
      "recipient_email is always required; other fields left out keep their value, null clears api_key or " +
      "agent_id. A webhook_secret different from the current one starts a rotation: the current secret " +
      "becomes the previous one and stays accepted until DELETE …/previous-webhook-secret or the next rotation.",
    tags: ["ElevenLabs"],
    body: { schema: integrationInput },
    responses: {
      200: { description: "Updated.", schema: integrationView },
      201: { description: "Created.", schema: integrationView },
    },
    errors: [],
  },
  {
    method: "delete",
    path: `${PATH}/previous-webhook-secret`,
    operationId: "endElevenLabsSecretRotation",
    summary: "End a webhook secret rotation",
    description: "Webhooks signed with the previous secret are refused from now on.",
    tags: ["ElevenLabs"],
    responses: { 204: { description: "Only the current secret is accepted." } },
    errors: ["NOT_CONFIGURED"],
  },
];

const notConfigured = () =>
  new ApiError("NOT_CONFIGURED", "this account has no ElevenLabs integration; PUT one first");

/**
 * The account's ElevenLabs integration: `GET` (secrets shown only as `has_…` flags), `PUT` (create or
 * update; a new webhook secret starts a rotation) and `DELETE …/previous-webhook-secret` (end it).
 */
export function registerElevenLabsIntegration(app: Hono<AppEnv>): void {
  app.get(PATH, async (c) => {
    const { deps, em, accountId } = c.var;
    const integration = await getIntegration(sqlOn(em), accountId, deps.publicBaseUrl);
    if (!integration) throw notConfigured();
    return c.json(integration, 200);
  });

  app.put(PATH, jsonBody(), async (c) => {
    const { deps, em, accountId } = c.var;
    const input = parseOrThrow(integrationInput, c.var.body, "VALIDATION_FAILED", "request body is invalid");
    const { created, view } = await putIntegration(em, deps.secrets, accountId, input, deps.publicBaseUrl);
    deps.log.info(
      {
        requestId: c.var.requestId,
        accountId,
        created,
        webhookSecretSet: input.webhook_secret !== undefined,
        rotating: view.has_previous_webhook_secret,
      },
      "ElevenLabs integration saved",
    );
    return c.json(view, created ? 201 : 200);
  });

  app.delete(`${PATH}/previous-webhook-secret`, async (c) => {
    const { deps, em, accountId } = c.var;
    if (!(await dropPreviousSecret(sqlOn(em), accountId))) throw notConfigured();
    deps.log.info({ requestId: c.var.requestId, accountId }, "ElevenLabs webhook secret rotation ended");
    return c.body(null, 204);
  });
}
