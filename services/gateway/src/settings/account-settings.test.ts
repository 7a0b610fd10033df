import { describe, expect, it } from "vitest";
import { issuesToDetails } from "../validation.ts";
import { settingsPatch } from "./account-settings.ts";

/** The paths of the problems with `value`, or [] when it is a valid patch. */
const problems = (value: unknown) => {
  const r = settingsPatch.safeParse(value);
  return r.success ? [] : [...new Set(issuesToDetails(r.error.issues).map((d) => d.path))];
};

describe("settingsPatch", () => {
  it("accepts every setting at the edges of its range, and null for the nullable ones", () => {
    expect(
      problems({
        default_email_template: "<p>{{summary}}</p>{{ key_points }}",
        email_subject_template: "Call {{conversation_id}}: {{topic}}",
        email_from_name: "Acme Support",
        email_from_address: "support@acme.example",
        max_file_size_mb: 100,
        processing_timeout_minutes: 1,
        enable_audio_storage: false,
        enable_transcript_storage: true,
        enable_report_generation: false,
        openai_model: "gpt-4o-mini",
        openai_max_tokens: 32_000,
        custom_system_prompt: "Be brief.",
        minio_bucket_name: "acme-calls.eu",
        file_retention_days: 365,
      }),
    ).toEqual([]);
    expect(
      problems({
        default_email_template: null,
        email_subject_template: null,
        email_from_name: null,
        email_from_address: null,
        custom_system_prompt: null,
        minio_bucket_name: null,
      }),
    ).toEqual([]);
    expect(problems({})).toEqual([]);
  });

  it.each([
    ["max_file_size_mb", 0],
    ["max_file_size_mb", 101],
    ["max_file_size_mb", 1.5],
    ["processing_timeout_minutes", 0],
    ["processing_timeout_minutes", 61],
    ["file_retention_days", 0],
    ["file_retention_days", 366],
    ["openai_max_tokens", 0],
    ["openai_max_tokens", 32_001],
    ["openai_max_tokens", "1000"],
    ["enable_audio_storage", "yes"],
    // Columns that are NOT NULL cannot be reset to null.
    ["max_file_size_mb", null],
    ["openai_model", null],
    ["openai_model", ""],
    ["openai_model", "gpt 4; drop"],
    ["email_from_address", "not-an-email"],
    // 255 characters fit the column, but no mail server takes an address over 254.
    ["email_from_address", `${"a".repeat(250)}@x.io`],
    ["email_from_name", "Acme\r\nBcc: victim@example.com"],
    ["email_subject_template", "x".repeat(256)],
    ["custom_system_prompt", "nul \u0000 inside"],
    ["minio_bucket_name", "Acme"],
    ["minio_bucket_name", "ab"],
    ["minio_bucket_name", "a..b"],
    ["minio_bucket_name", "192.168.1.10"],
    ["minio_bucket_name", `${"a".repeat(64)}`],
  ])("refuses %s = %j", (field, value) => {
    expect(problems({ [field]: value })).toEqual([field]);
  });

  it("checks template placeholders the way the mailer renders them", () => {
    const r = settingsPatch.safeParse({
      email_subject_template: "{{topic}} for {{ customer_name }}",
      default_email_template: "<p>{{summary}}</p>",
    });
    expect(r.success).toBe(false);
    expect(issuesToDetails(r.error!.issues)).toEqual([
      {
        path: "email_subject_template",
        message: expect.stringMatching(
          /^unknown placeholder \{\{customer_name\}\}; the variables are summary/,
        ),
      },
    ]);
  });

  it("reports an unknown field at its own path", () => {
    expect(problems({ max_file_size_mb: 5, account_id: "acc_b" })).toEqual(["account_id"]);
  });
});
