import { createMiddleware } from "hono/factory";
import { timeout } from "hono/timeout";
import type { AppEnv } from "../app-env";
import { arrivedAt } from "./admission";
import { problems } from "./problem";

/** The longest a client waits for an answer from /api, counted from its arrival (decision 020). */
export const REQUEST_TIMEOUT_MS = 5_000;

const tooLate = () => problems.serviceUnavailable("The request took too long; retry shortly.");

/**
 * A backstop behind the database timeouts (src/db/client.ts), which normally answer first: after
 * REQUEST_TIMEOUT_MS the client gets a 503 with Retry-After, whatever the request still waits for.
 * The time a request waited for its turn (admission.ts) counts: a request that waited it all out
 * is answered at once. The work itself is not cancelled, so a write answered this way may still
 * complete; 503 promises nothing either way. Long-lived responses (event streams) must be left
 * out, e.g. with `exceptPath(EVENT_STREAM_PATHS, requestDeadline())` (except-path.ts).
 */
export function requestDeadline() {
  const fullTime = timeout(REQUEST_TIMEOUT_MS, tooLate);
  return createMiddleware<AppEnv>((c, next) => {
    const arrived = arrivedAt(c.env?.incoming);
    const waited = arrived === undefined ? 0 : performance.now() - arrived;
    // Most requests start at once; they share one middleware rather than build one each.
    if (waited < 1) return fullTime(c, next);
    const left = REQUEST_TIMEOUT_MS - waited;
    if (left <= 0) throw tooLate();
    return timeout(left, tooLate)(c, next);
  });
}
