import { isProcessingId } from "@postprocess/db";
import type { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../deps.ts";
import { ApiError } from "../errors.ts";
import type { Operation } from "../openapi/operation.ts";
import { parseParams } from "../path-params.ts";
import { intParam, parseQuery } from "../query-params.ts";
import { isoOrNull, sqlOn } from "../sql.ts";

const DELIVERY_ID = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

const PATH = "/api/v1/callbacks/deliveries";
const STATUSES = ["pending", "succeeded", "failed"] as const;

const query = z.object({
  processing_id: z
    .string()
    .refine(isProcessingId, "must look like proc_<ULID>")
    .optional()
    .describe("Only this job's deliveries."),
  status: z.enum(STATUSES).optional(),
  limit: intParam(1, 100, 50).describe("Deliveries per page."),
  cursor: z.string().min(1).optional().describe("The previous page's next_cursor, unchanged."),
});

const deliveryParams = z.object({
  id: z.string().regex(DELIVERY_ID, "must look like msg_<ULID>").describe("The delivery: msg_ + ULID."),
});

/** A delivery as listed. */
const deliveryView = z.object({
  id: z.string().describe("msg_ + ULID; also the webhook-id header of every attempt."),
  processing_id: z.string(),
  type: z.enum(["job.completed", "job.failed"]),
  status: z
    .enum(STATUSES)
    .describe("failed once the retries ran out or the endpoint was removed or disabled."),
  attempts: z.int(),
  url: z.string().describe("The endpoint URL when the delivery was enqueued."),
  next_attempt_at: z.iso.datetime().nullable().describe("Set while pending."),
  last_attempt_at: z.iso.datetime().nullable(),
  last_status_code: z.int().nullable().describe("Your endpoint's HTTP status at the last attempt."),
  last_error: z.string().nullable(),
  delivered_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime().nullable(),
});

const deliveryPage = z.object({
  deliveries: z.array(deliveryView),
  next_cursor: z.string().nullable().describe("Null on the last page."),
});

/** One delivery in full. */
const deliveryDetail = deliveryView.extend({
  payload: z.unknown().describe("The JSON body POSTed to the endpoint."),
  attempt_log: z.array(
    z.object({
      attempt: z.int(),
      attempted_at: z.iso.datetime().nullable(),
      duration_ms: z.int(),
      status_code: z.int().nullable().describe("Null when no HTTP answer came (timeout, refused, …)."),
      error: z.string().nullable(),
    }),
  ),
});

const listOperation: Operation = {
  method: "get",
  path: PATH,
  operationId: "listCallbackDeliveries",
  summary: "The account's callback deliveries, newest first",
  description: "Keyset pages, like the history: stable while new deliveries arrive.",
  tags: ["Callbacks"],
  query,
  responses: { 200: { description: "One page of deliveries.", schema: deliveryPage } },
  errors: [],
};

const getOperation: Operation = {
  method: "get",
  path: `${PATH}/:id`,
  operationId: "getCallbackDelivery",
  summary: "One callback delivery with its payload and every attempt",
  tags: ["Callbacks"],
  params: deliveryParams,
  responses: { 200: { description: "The delivery.", schema: deliveryDetail } },
  errors: ["INVALID_ID", "NOT_FOUND"],
};

/** The OpenAPI descriptions of the delivery routes. */
export const callbackDeliveriesOperations: Operation[] = [listOperation, getOperation];

interface DeliveryRow {
  id: string;
  processing_id: string;
  // The table's CHECK constraints hold these to the documented values.
  event_type: z.output<typeof deliveryView>["type"];
  status: (typeof STATUSES)[number];
  attempts: number;
  url: string;
  next_attempt_at: string | null;
  last_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
  created_at_key: string;
}

const COLUMNS = `id, processing_id, event_type, status, attempts, url, next_attempt_at, last_attempt_at,
  last_status_code, last_error, delivered_at, created_at,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_key`;

const view = (r: DeliveryRow): z.output<typeof deliveryView> => ({
  id: r.id,
  processing_id: r.processing_id,
  type: r.event_type,
  status: r.status,
  attempts: r.attempts,
  url: r.url,
  next_attempt_at: isoOrNull(r.next_attempt_at),
  last_attempt_at: isoOrNull(r.last_attempt_at),
  last_status_code: r.last_status_code,
  last_error: r.last_error,
  delivered_at: isoOrNull(r.delivered_at),
  created_at: isoOrNull(r.created_at),
});

/** An opaque page cursor: the last row's (created_at at microseconds, id). */
function encodeCursor(r: DeliveryRow): string {
  return Buffer.from(JSON.stringify([r.created_at_key, r.id]), "utf8").toString("base64url");
}

function decodeCursor(text: string): { createdAt: string; id: string } | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== "string" || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
      return undefined;
    }
    if (typeof id !== "string" || !DELIVERY_ID.test(id)) return undefined;
    return { createdAt, id };
  } catch {
    return undefined;
  }
}

/**
 * The account's callback deliveries, written by the callbacks service (the gateway only reads them):
 * - `GET /api/v1/callbacks/deliveries?processing_id=&status=&limit=&cursor=`: newest first, keyset pages
 *   over (created_at, id) like the history;
 * - `GET /api/v1/callbacks/deliveries/:id`: one delivery with its payload and every attempt.
 * Another account's delivery is a 404, exactly like one that does not exist.
 */
export function registerCallbackDeliveries(app: Hono<AppEnv>): void {
  app.get(listOperation.path, async (c) => {
    const q = parseQuery(c, query);
    const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
    if (q.cursor !== undefined && !cursor) {
      throw new ApiError("INVALID_QUERY", "cursor is not valid", {
        details: [{ path: "cursor", message: "pass back a next_cursor unchanged" }],
      });
    }
    const rows = await sqlOn(c.var.em)<DeliveryRow>(
      `SELECT ${COLUMNS}
         FROM callback_deliveries
        WHERE account_id = ?
          AND (?::text IS NULL OR processing_id = ?)
          AND (?::text IS NULL OR status = ?)
          AND (?::timestamptz IS NULL OR (created_at, id) < (?::timestamptz, ?))
        ORDER BY created_at DESC, id DESC
        LIMIT ?`,
      [
        c.var.accountId,
        q.processing_id ?? null,
        q.processing_id ?? null,
        q.status ?? null,
        q.status ?? null,
        cursor?.createdAt ?? null,
        cursor?.createdAt ?? null,
        cursor?.id ?? null,
        q.limit + 1,
      ],
    );
    // One row more than asked tells whether another page exists without a COUNT.
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    const body: z.output<typeof deliveryPage> = {
      deliveries: page.map(view),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last) : null,
    };
    return c.json(body, 200);
  });

  app.get(getOperation.path, async (c) => {
    const { id } = parseParams(c, deliveryParams);
    const sql = sqlOn(c.var.em);
    const [row] = await sql<DeliveryRow & { payload: unknown }>(
      `SELECT ${COLUMNS}, payload FROM callback_deliveries WHERE id = ? AND account_id = ?`,
      [id, c.var.accountId],
    );
    if (!row) throw new ApiError("NOT_FOUND", `no delivery ${id}`);
    const attempts = await sql<{
      attempt: number;
      attempted_at: string;
      duration_ms: number;
      status_code: number | null;
      error: string | null;
    }>(
      `SELECT attempt, attempted_at, duration_ms, status_code, error
         FROM callback_delivery_attempts WHERE delivery_id = ? ORDER BY attempt`,
      [id],
    );
    const body: z.output<typeof deliveryDetail> = {
      ...view(row),
      payload: row.payload,
      attempt_log: attempts.map((a) => ({ ...a, attempted_at: isoOrNull(a.attempted_at) })),
    };
    return c.json(body, 200);
  });
}
