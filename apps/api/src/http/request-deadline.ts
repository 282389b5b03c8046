import { timeout } from "hono/timeout";
import { problems } from "./problem";

/** The longest a client waits for an answer from /api (decision 020). */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * A backstop behind the database timeouts (src/db/client.ts), which normally answer first: after
 * REQUEST_TIMEOUT_MS the client gets a 503 with Retry-After, whatever the request still waits for.
 * The work itself is not cancelled, so a write answered this way may still complete; 503 promises
 * nothing either way. Long-lived responses (event streams) must be left out, e.g. with
 * `exceptPath(EVENT_STREAM_PATHS, requestDeadline())` (except-path.ts).
 */
export const requestDeadline = () =>
  timeout(REQUEST_TIMEOUT_MS, () =>
    problems.serviceUnavailable("The request took too long; retry shortly."),
  );
