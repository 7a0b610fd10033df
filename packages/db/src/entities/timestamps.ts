import { p } from "@mikro-orm/core";

/**
 * `created_at` as the database owns it: the column's `DEFAULT now()` fills it (one clock for every replica),
 * the ORM leaves it out of INSERTs when unset and reads it back through RETURNING.
 */
export const createdAt = () => p.datetime().defaultRaw("now()");

/**
 * `updated_at`: `DEFAULT now()` on insert, and the `pp_set_updated_at` trigger stamps now() on every UPDATE,
 * so the ORM has no `onUpdate` of its own (two clocks would disagree). Only a fork with `eventTimeSession`
 * can set it (the projector, to the event's time). After a flush, `em.refresh()` to see the trigger's value.
 */
export const updatedAt = () => p.datetime().defaultRaw("now()");
