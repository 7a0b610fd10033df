import { Type } from "@mikro-orm/core";

// PostgreSQL's own EXTRACT(EPOCH FROM interval) conventions for the calendar units a duration rarely has.
const MS_PER_DAY = 86_400_000;
const MS_PER_MONTH = 30 * MS_PER_DAY;
const MS_PER_YEAR = 365.25 * MS_PER_DAY;

/**
 * Maps a PostgreSQL INTERVAL to a number of milliseconds. Durations (`total_duration`, `step_duration`) are
 * measured in ms by the code that records them and compared as numbers by the code that reads them, so a
 * number beats the driver's interval object or a locale-ish string. Fractions of a ms survive down to the
 * column's microsecond resolution. Written as `N microseconds`, which PostgreSQL stores exactly.
 */
export class IntervalMsType extends Type<number | null | undefined, string | null | undefined> {
  override convertToDatabaseValue(value: number | null | undefined): string | null | undefined {
    if (value == null) return value;
    const micros = Math.round(value * 1000);
    if (!Number.isSafeInteger(micros)) {
      throw new RangeError(`interval of ${value} ms cannot be stored exactly`);
    }
    return `${micros} microseconds`;
  }

  override convertToJSValue(value: string | null | undefined): number | null | undefined {
    return value == null ? value : parseIntervalMs(value);
  }

  // The database values this type produces are canonical strings, so change detection compares them as such.
  override compareAsType(): string {
    return "string";
  }

  override getColumnType(): string {
    return "interval";
  }
}

const UNIT_MS: Record<string, number> = {
  year: MS_PER_YEAR,
  years: MS_PER_YEAR,
  mon: MS_PER_MONTH,
  mons: MS_PER_MONTH,
  day: MS_PER_DAY,
  days: MS_PER_DAY,
};
// The `postgres` IntervalStyle (the server default): `[N years] [N mons] [N days] [-]HH:MM:SS[.ffffff]`.
const POSTGRES_STYLE = /^(?:[+-]?\d+ (?:years?|mons?|days?)(?: |$))*(?:[+-]?\d+:\d{2}:\d{2}(?:\.\d+)?)?$/;
const CLOCK = /([+-]?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/;
// The `iso_8601` IntervalStyle: `P1Y2M3DT4H5M6.789S`, each part optionally signed.
const ISO_STYLE =
  /^P(?:([+-]?\d+)Y)?(?:([+-]?\d+)M)?(?:([+-]?\d+)D)?(?:T(?:([+-]?\d+)H)?(?:([+-]?\d+)M)?(?:([+-]?\d+(?:\.\d+)?)S)?)?$/;

/**
 * Parses an interval as PostgreSQL prints it (IntervalStyle `postgres` or `iso_8601`) into milliseconds,
 * counting a month as 30 days and a year as 365.25 days, as EXTRACT(EPOCH FROM …) does.
 */
export function parseIntervalMs(text: string): number {
  const ms = parseIso(text) ?? parsePostgres(text);
  // Microsecond resolution: drop the float noise the sums introduce.
  return Math.round(ms * 1000) / 1000;
}

function parseIso(text: string): number | undefined {
  const m = ISO_STYLE.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0] = m.slice(1).map((part) => Number(part ?? 0));
  return y * MS_PER_YEAR + mo * MS_PER_MONTH + d * MS_PER_DAY + h * 3_600_000 + mi * 60_000 + s * 1000;
}

function parsePostgres(text: string): number {
  if (text === "" || !POSTGRES_STYLE.test(text)) {
    throw new TypeError(
      `unsupported interval format ${JSON.stringify(text)}: use IntervalStyle postgres or iso_8601`,
    );
  }
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/([+-]?\d+) (years?|mons?|days?)/g)) {
    ms += Number(n) * UNIT_MS[unit!]!;
  }
  const clock = CLOCK.exec(text);
  if (clock) {
    const [, sign, h, m, s] = clock;
    ms += (sign === "-" ? -1 : 1) * (Number(h) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000);
  }
  return ms;
}
