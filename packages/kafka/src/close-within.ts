import type { Logger } from "./logger.ts";

/**
 * Leaves the group and closes the connections, waiting no later than `deadline`: a broker that does not
 * answer must not hold a stopping process past its shutdown budget. The close goes on in the background;
 * the caller gets on with the rest of its shutdown.
 */
export async function closeWithin(
  close: () => Promise<void>,
  deadline: number,
  log: Logger,
  groupId: string,
): Promise<void> {
  const closed = close().then(
    () => true,
    (err: unknown) => {
      log.error({ groupId, err }, "consumer disconnect failed");
      return true;
    },
  );
  let timer: NodeJS.Timeout | undefined;
  const inTime = await Promise.race([
    closed,
    new Promise<false>((r) => {
      timer = setTimeout(r, Math.max(0, deadline - Date.now()), false);
      timer.unref();
    }),
  ]);
  clearTimeout(timer);
  if (inTime) log.info({ groupId }, "consumer stopped");
  else log.error({ groupId }, "consumer did not disconnect within the shutdown timeout");
}
