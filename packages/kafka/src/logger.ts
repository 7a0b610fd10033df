/** The structured logger the runtime writes to: object first, message second (pino's shape). */
export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type LogLevel = keyof Logger;

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * The default logger: one JSON line per entry on stderr (stdout stays free for a program's output).
 * Callers log ids and coordinates only, never payloads: events can carry transcripts and personal data.
 */
export function createJsonLogger(
  opts: { level?: LogLevel; bindings?: object; write?: (line: string) => void } = {},
): Logger {
  const min = rank[opts.level ?? "info"];
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const emit = (level: LogLevel) => (obj: object, msg: string) => {
    if (rank[level] < min) return;
    const entry = { level, time: new Date().toISOString(), msg, ...opts.bindings, ...obj };
    write(`${JSON.stringify(entry, errorReplacer)}\n`);
  };
  return { debug: emit("debug"), info: emit("info"), warn: emit("warn"), error: emit("error") };
}

/** A logger that adds `bindings` to every entry (the per-message `log` handlers receive). */
export function withBindings(logger: Logger, bindings: object): Logger {
  return {
    debug: (obj, msg) => logger.debug({ ...bindings, ...obj }, msg),
    info: (obj, msg) => logger.info({ ...bindings, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...bindings, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...bindings, ...obj }, msg),
  };
}

/** Errors serialise as name + message (+ stack): JSON.stringify would drop all three. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
