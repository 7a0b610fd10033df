import { z } from "zod";

/**
 * A callback URL an account may register: absolute, https (http only where the deployment allows it, for
 * local receivers), no credentials in it (they would sit in our database and logs in clear; the signature
 * is how a receiver authenticates us), at most 2048 characters. Private destinations are refused at
 * delivery time by the callbacks service, which resolves the name when it connects.
 */
export function callbackUrlSchema(opts: { allowHttp: boolean }) {
  return z
    .string()
    .max(2048)
    .pipe(z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" }))
    .superRefine((text, ctx) => {
      // Zod runs refinements after a failed format check too; that failure is already reported.
      const url = URL.parse(text);
      if (!url) return;
      if (url.protocol === "http:" && !opts.allowHttp) {
        ctx.addIssue({ code: "custom", message: "must use https" });
      }
      if (url.username || url.password) {
        ctx.addIssue({ code: "custom", message: "must not contain credentials" });
      }
    });
}
