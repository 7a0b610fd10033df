import { isProcessingId } from "@postprocess/db";

/** A position in a newest-first listing: the last row's (created_at, processing_id). */
export interface Cursor {
  /** created_at at PostgreSQL's microsecond precision (a JS Date would round it and skip or repeat rows). */
  createdAt: string;
  processingId: string;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** An opaque cursor: clients pass it back unchanged and must not build one. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.processingId]), "utf8").toString("base64url");
}

/** The cursor, or undefined when `text` is not one this service issued. */
export function decodeCursor(text: string): Cursor | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (!Array.isArray(value) || value.length !== 2) return undefined;
    const [createdAt, processingId] = value as unknown[];
    if (typeof createdAt !== "string" || !TIMESTAMP.test(createdAt) || Number.isNaN(Date.parse(createdAt))) {
      return undefined;
    }
    if (typeof processingId !== "string" || !isProcessingId(processingId)) return undefined;
    return { createdAt, processingId };
  } catch {
    return undefined;
  }
}
