import type { Server as HttpServer } from "node:http";
import closeWithGrace from "close-with-grace";
import type { Logger } from "pino";
import type { DatabaseHandle } from "./db/client";
import { drainHttpServer } from "./http/drain";
import { loggableError } from "./http/loggable-error";

// The shutdown budget (decision 020), inside Docker's and Kubernetes' default 10 s between SIGTERM
// and SIGKILL. Requests themselves end within REQUEST_TIMEOUT_MS (5 s), so a drain normally takes
// as long as the slowest request in flight; these bounds are for what does not end by itself.

/** A connection with no request in progress is closed this long after the signal. */
export const IDLE_CONNECTION_GRACE_MS = 1_000;
/** Connections still open this long after the signal are destroyed, and the exit code is 1. */
export const DRAIN_TIMEOUT_MS = 8_000;
/** The whole shutdown, database included; past it close-with-grace exits 1 at once. */
export const SHUTDOWN_TIMEOUT_MS = 9_000;

class DrainTimedOut extends Error {
  constructor() {
    super(`connections were still open ${DRAIN_TIMEOUT_MS} ms after the signal; destroyed them`);
    this.name = "DrainTimedOut";
  }
}

/**
 * On SIGTERM or SIGINT (or a crash): fire `draining` (responses then carry `Connection: close`),
 * stop accepting, let requests in flight finish, close idle connections, close the database, exit
 * 0. Exits 1 when connections had to be destroyed, when it all takes longer than
 * SHUTDOWN_TIMEOUT_MS, on a second signal, or after an uncaught error.
 *
 * Returns a function that starts the same shutdown without a signal (a cluster worker asked by
 * its primary, decision 026); it does nothing once a shutdown has begun, so a worker that got the
 * signal itself (Ctrl-C reaches the whole process group) and the primary's request does not
 * count as a second signal.
 */
export function shutDownGracefully(options: {
  server: HttpServer;
  database: DatabaseHandle;
  draining: AbortController;
  logger: Logger;
  beforeDatabaseClose?: () => void | Promise<void>;
}): () => void {
  const { server, database, draining, logger } = options;
  let begun = false;
  const handle = closeWithGrace(
    {
      delay: SHUTDOWN_TIMEOUT_MS,
      // close-with-grace reports timeouts and failures through this; keep them in the JSON log.
      logger: {
        error: (message: unknown) =>
          message instanceof Error
            ? logger.error({ err: message }, "shutdown failed")
            : logger.error(String(message)),
      },
    },
    async ({ signal, err }) => {
      begun = true;
      if (err) logger.error({ err: loggableError(err) }, "shutting down after an error");
      else logger.info({ signal }, "shutting down: draining connections");
      draining.abort();
      const drain = await drainHttpServer(server, {
        idleGraceMs: IDLE_CONNECTION_GRACE_MS,
        timeoutMs: DRAIN_TIMEOUT_MS,
      });
      await options.beforeDatabaseClose?.();
      await database.close();
      if (drain === "forced") throw new DrainTimedOut();
      logger.info("stopped");
    },
  );
  return () => {
    if (!begun) handle.close();
  };
}
