import { type Statement, statement } from "@postprocess/db";
import { checkPlaceholders, defaultSettings, type SettingsRow, settingsToRow } from "@postprocess/worker";
import { z } from "zod";
import type { Sql } from "../sql.ts";

// PostgreSQL text cannot hold NUL; refused here rather than failing as a 500 in the driver.
const noNul = (s: string) => !s.includes("\u0000");

/** Free text of at most `max` characters (the column's length), without NUL. */
const text = (max: number) => z.string().max(max).refine(noNul, "must not contain NUL characters");

/** An email template (subject or body): its placeholders are checked exactly as the mailer renders them. */
const template = (max: number) =>
  text(max).superRefine((source, ctx) => {
    const problem = checkPlaceholders(source);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

// The `valid_bucket_name` CHECK, plus the S3 rules it does not cover: no `..`, not an IP address.
const bucketName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "3-63 lowercase letters, digits, dots and hyphens")
  .refine((s) => !s.includes(".."), "must not contain '..'")
  .refine((s) => !/^\d+\.\d+\.\d+\.\d+$/.test(s), "must not look like an IP address");

/**
 * `PATCH /api/v1/settings`: any subset of the settings, by their column names. Ranges are the seed's and the
 * database's CHECKs; nullable columns accept null (back to the default behaviour), the others do not.
 * Strict: an unknown field is a 422, never silently ignored.
 */
export const settingsPatch = z.strictObject({
  // The body of the report email (HTML or text). Large enough for a designed HTML email; it travels in
  // every job's settings snapshot, so not unbounded.
  default_email_template: template(65_536).nullable().optional(),
  email_subject_template: template(255).nullable().optional(),
  // A display name; control characters would let it break out of the From header.
  email_from_name: text(255)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters")
    .nullable()
    .optional(),
  // 254: the longest address SMTP carries (RFC 5321), and what the mailer accepts.
  email_from_address: z.email().max(254).nullable().optional(),
  max_file_size_mb: z.int().min(1).max(100).optional(),
  processing_timeout_minutes: z.int().min(1).max(60).optional(),
  enable_audio_storage: z.boolean().optional(),
  enable_transcript_storage: z.boolean().optional(),
  enable_report_generation: z.boolean().optional(),
  openai_model: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:-]+$/, "a model name: letters, digits and . _ : -")
    .optional(),
  openai_max_tokens: z.int().min(1).max(32_000).optional(),
  custom_system_prompt: text(16_000).nullable().optional(),
  minio_bucket_name: bucketName.nullable().optional(),
  file_retention_days: z.int().min(1).max(365).optional(),
});

/** A validated settings update. */
export type SettingsPatch = z.output<typeof settingsPatch>;

/** The settings as the API answers them (and as a job's snapshot): every column, by its name. */
export const accountSettings = z.object({
  default_email_template: z.string().nullable(),
  email_subject_template: z.string().nullable(),
  email_from_name: z.string().nullable(),
  email_from_address: z.string().nullable(),
  max_file_size_mb: z.int(),
  processing_timeout_minutes: z.int(),
  enable_audio_storage: z.boolean(),
  enable_transcript_storage: z.boolean(),
  enable_report_generation: z.boolean(),
  openai_model: z.string(),
  openai_max_tokens: z.int(),
  custom_system_prompt: z.string().nullable(),
  minio_bucket_name: z.string().nullable().describe("null: the deployment's default bucket"),
  file_retention_days: z.int(),
});

// The response schema lists exactly the row's columns: a setting added to one and not the other fails here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _sameShape: Same<z.output<typeof accountSettings>, SettingsRow> = true;
void _sameShape;

/** The column names, in table order: the only identifiers ever spliced into the SQL below. */
const columns = Object.keys(accountSettings.shape) as (keyof SettingsRow)[];

const selectText = `SELECT ${columns.join(", ")} FROM account_settings WHERE account_id = ?`;
const selectSettings = statement(selectText);
// One prepared statement per write that callers put first (a fixed text per call site: a handful). Past
// that many texts a caller is building them: those run unprepared, so connections do not collect them.
const readAfterStatements = new Map<string, Statement>();
const maxReadAfterStatements = 16;
const readAfter = (first: string): Statement | string => {
  const known = readAfterStatements.get(first);
  if (known) return known;
  const text = `WITH first AS (${first}) ${selectText}`;
  if (readAfterStatements.size >= maxReadAfterStatements) return text;
  const made = statement(text);
  readAfterStatements.set(first, made);
  return made;
};

/** The account's settings: its row, or the seed's defaults when it has none. */
export async function readSettings(sql: Sql, accountId: string): Promise<SettingsRow> {
  return readSettingsAfter(sql, accountId);
}

/**
 * The account's settings, read in the same round trip as a write that must happen first (a data-modifying
 * statement given as `first`, run whatever the read finds).
 */
export async function readSettingsAfter(
  sql: Sql,
  accountId: string,
  first?: { query: string; params: unknown[] },
): Promise<SettingsRow> {
  const [row] = first
    ? await sql<SettingsRow>(readAfter(first.query), [...first.params, accountId])
    : await sql<SettingsRow>(selectSettings, [accountId]);
  return row ?? settingsToRow(defaultSettings);
}

/**
 * Applies `patch` to the account's settings (creating its row on the first change; the columns it does
 * not name keep their values, or take the defaults) and returns all of them. One statement: two concurrent
 * updates of different settings both land.
 */
export async function updateSettings(
  sql: Sql,
  accountId: string,
  patch: SettingsPatch,
): Promise<SettingsRow> {
  const changed = columns.filter((c) => patch[c] !== undefined);
  if (!changed.length) return readSettings(sql, accountId);
  const [row] = await sql<SettingsRow>(
    `INSERT INTO account_settings (account_id, ${changed.join(", ")})
     VALUES (?, ${changed.map(() => "?").join(", ")})
     ON CONFLICT (account_id) DO UPDATE SET ${changed.map((c) => `${c} = EXCLUDED.${c}`).join(", ")}
     RETURNING ${columns.join(", ")}`,
    [accountId, ...changed.map((c) => patch[c])],
  );
  return row!;
}
