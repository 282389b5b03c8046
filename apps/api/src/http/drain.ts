import type { Server as HttpServer } from "node:http";
import { Server as NetServer } from "node:net";
import { createMiddleware } from "hono/factory";

/**
 * Once `draining` fires, every response says `Connection: close`: Node then closes the socket
 * after writing it, and a keep-alive client knows not to send another request on that connection.
 * It is checked when the response leaves, so requests already in flight at the signal get it too.
 */
export function closeConnectionsWhenDraining(draining: AbortSignal) {
  return createMiddleware(async (c, next) => {
    await next();
    if (draining.aborted) c.header("Connection", "close");
  });
}

export interface DrainOptions {
  /** How long a connection with no request in progress may stay open before it is closed. */
  idleGraceMs: number;
  /** After this, every remaining connection is destroyed. */
  timeoutMs: number;
}

/**
 * Stops accepting connections and resolves "drained" once every open one has closed by itself, or
 * "forced" when `timeoutMs` passed first and the rest were destroyed. See decision 020.
 *
 * It calls net.Server's close, not http.Server's: since Node 19 the latter also destroys every
 * idle keep-alive socket at once, and on a busy connection the client may already have written
 * its next request (it then sees a reset). Busy connections close themselves after the response
 * that carries `Connection: close`; connections still idle after `idleGraceMs` (time for a request
 * already on its way to arrive and be answered) are closed with `closeIdleConnections`.
 */
export async function drainHttpServer(
  server: HttpServer,
  options: DrainOptions,
): Promise<"drained" | "forced"> {
  const closed = new Promise<"drained">((resolve) => {
    NetServer.prototype.close.call(server, () => resolve("drained"));
  });
  const timers: NodeJS.Timeout[] = [];
  const forced = new Promise<"forced">((resolve) => {
    timers.push(setTimeout(() => resolve("forced"), options.timeoutMs));
  });
  timers.push(setTimeout(() => server.closeIdleConnections(), options.idleGraceMs));
  const result = await Promise.race([closed, forced]);
  for (const timer of timers) clearTimeout(timer);
  if (result === "forced") server.closeAllConnections();
  return result;
}
