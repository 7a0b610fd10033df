import type { SessionContext } from "@mikro-orm/core";

/**
 * The session context under which the `pp_set_updated_at` trigger keeps the `updated_at` a writer sets
 * instead of stamping now() (migration FIX 6). The projector forks with it,
 * `orm.em.fork({ session: eventTimeSession })`, and stamps rows with the time of the event that changed
 * them, so replaying the stream reproduces the rows exactly. MikroORM applies it with
 * `set_config(…, true)` in every transaction of the fork, so it never leaks to other work on the connection.
 */
export const eventTimeSession: SessionContext = {
  variables: { "postprocess.event_time_updated_at": "on" },
};
