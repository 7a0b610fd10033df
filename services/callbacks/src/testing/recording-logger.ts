import type { Logger } from "@postprocess/kafka";

/** A logger that keeps every entry, for tests that check what was (and was not) logged. */
export function recordingLogger(): { log: Logger; entries: { level: string; obj: object; msg: string }[] } {
  const entries: { level: string; obj: object; msg: string }[] = [];
  const at = (level: string) => (obj: object, msg: string) => void entries.push({ level, obj, msg });
  return { log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") }, entries };
}
