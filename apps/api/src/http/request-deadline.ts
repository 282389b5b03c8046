import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { arrivedAt, holdPlaceUntil } from "./admission";
import { problems } from "./problem";

/** The longest a client waits for an answer from /api, counted from its arrival (decision 020). */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * A request with less time left than this is refused at once (decision 044): under load it would
 * only start work that its deadline cuts off, and hold a place while that work finishes.
 */
export const LEAST_TIME_TO_START_MS = 250;

export const tooLate = () =>
  problems.serviceUnavailable("The request took too long; retry shortly.");

/**
 * A backstop behind the database timeouts (src/db/client.ts), which normally answer first: after
 * REQUEST_TIMEOUT_MS from its arrival the client gets a 503 with Retry-After, whatever the request
 * still waits for; the time it waited for its turn (admission.ts) counts. The work itself is not
 * cancelled, so a write answered this way may still complete; 503 promises nothing either way. Its
 * place in the admission gate is kept until the work settles. Long-lived responses (event streams)
 * must be left out, e.g. with `exceptPath(EVENT_STREAM_PATHS, requestDeadline())` (except-path.ts).
 * Like hono/timeout, but it keeps hold of the work it races (`holdPlaceUntil`).
 */
export function requestDeadline(
  timeoutMs = REQUEST_TIMEOUT_MS,
  leastTimeToStartMs = LEAST_TIME_TO_START_MS,
) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const incoming = c.env?.incoming;
    const arrived = arrivedAt(incoming);
    const left = timeoutMs - (arrived === undefined ? 0 : performance.now() - arrived);
    if (left < leastTimeToStartMs) throw tooLate();
    const work = next();
    holdPlaceUntil(incoming, work);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(tooLate()), left);
    });
    try {
      await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  });
}
