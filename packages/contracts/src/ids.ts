import { ulid } from "ulid";

/** A new event id: `evt_` + ULID (unique, sortable by time), what consumers de-duplicate on. */
export function newEventId(now: number = Date.now()): string {
  return `evt_${ulid(now)}`;
}
