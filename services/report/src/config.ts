import { s3ConfigSchema, workerConfigSchema } from "@postprocess/worker";
import { z } from "zod";

/** The report service's settings: the worker's and S3's, and the fonts it draws with. */
export const configSchema = workerConfigSchema.extend({
  ...s3ConfigSchema.shape,
  // A TTF to draw text with instead of DejaVu Sans; the Noto fallbacks (CJK, Indic, Thai) still apply after it.
  REPORT_FONT_PATH: z.string().min(1).optional(),
  // Its bold companion for headings and labels; the regular font is used for both when unset.
  REPORT_BOLD_FONT_PATH: z.string().min(1).optional(),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the configuration once, in main; throws listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid report configuration: ${problems}`);
  }
  return parsed.data;
}
