import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../app-env";
import type { VerifyToken } from "../auth/verify-jwt";
import { HttpProblem } from "../http/problem";
import type { ChangeHub, OutgoingEvent } from "./change-hub";
import { canResumeFrom, tooFarBehind } from "./change-page";
import { readChanges } from "./changes.queries";
import { MAX_STREAMS_PER_USER, type StreamSlots } from "./stream-slots";

/**
 * The paths of this route (`/api/{user_id}/events`, a user id being one path segment): left out of
 * compression and of the request deadline in app.ts.
 */
export const EVENT_STREAM_PATHS = /^\/api\/[^/]+\/events$/;
export const HEARTBEAT_MS = 20_000;
/** Events queued for a client that does not read them; past this it is cut off and resumes later. */
const MAX_QUEUED_WRITES = 10_000;
/** setTimeout's longest delay (24.8 days): a stream of a token valid for longer ends then and resumes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface EventStreamOptions {
  hub: ChangeHub;
  slots: StreamSlots;
  verifyToken: VerifyToken;
  /** Fired at shutdown, when the hub ends every stream at once instead of holding the drain open. */
  draining: AbortSignal;
  heartbeatMs?: number;
}

const tooManyStreams = () =>
  new HttpProblem(
    429,
    `This user already has ${MAX_STREAMS_PER_USER} event streams open on this server; close one (one per browser is enough).`,
    { headers: { "Retry-After": "10" } },
  );

const eventFrame = (event: OutgoingEvent) =>
  `id: ${event.seq}\nevent: task\ndata: ${event.json}\n\n`;

/**
 * GET /events. Checked before anything is sent (so that errors are still problem+json): a free
 * slot, and a resume point the log still holds. Then the hub feeds the stream until the client
 * leaves, the token expires, its session ends (checked at each heartbeat) or the server drains.
 */
export async function openEventStream(
  c: Context<AppEnv>,
  since: number | undefined,
  options: EventStreamOptions,
) {
  const userId = c.var.userId;
  const release = options.slots.take(userId);
  if (!release) throw tooManyStreams();
  let from: number;
  try {
    const position = await readChanges(c.var.db, userId, 0, 0);
    if (since !== undefined && !canResumeFrom(since, position.current, position.prunedThrough)) {
      throw tooFarBehind();
    }
    from = since ?? position.current;
  } catch (error) {
    release();
    throw error;
  }
  const token =
    c.req
      .header("Authorization")
      ?.replace(/^Bearer +/i, "")
      .trim() ?? "";

  const response = streamSSE(c, async (stream) => {
    let queued = 0;
    let writing: Promise<unknown> = Promise.resolve();
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const send = (text: string) => {
      queued += 1;
      if (queued > MAX_QUEUED_WRITES) finish();
      writing = writing
        .then(() => stream.write(text))
        .catch(finish)
        .finally(() => {
          queued -= 1;
        });
    };

    // The client's reconnection delay, and a first byte so that it knows the stream is open.
    send("retry: 1000\n\n");
    const subscription = options.hub.subscribe(userId, from, {
      deliver: (events) => {
        for (const event of events) send(eventFrame(event));
      },
      end: () => finish(),
    });
    const heartbeat = setInterval(() => {
      send(": heartbeat\n\n");
      options.verifyToken(token).catch(() => finish());
    }, options.heartbeatMs ?? HEARTBEAT_MS);
    const expiry = setTimeout(
      finish,
      Math.min(Math.max(0, c.var.tokenExpiresAt * 1000 - Date.now()), MAX_TIMER_MS),
    );
    stream.onAbort(finish);
    // At shutdown the hub ends every subscription; one that began as the drain did ends here.
    if (options.draining.aborted) finish();

    await finished;
    subscription.unsubscribe();
    clearInterval(heartbeat);
    clearTimeout(expiry);
    release();
    // What was already queued still goes out (a client that left makes these writes fail fast).
    await writing;
  });
  // Proxies (nginx) must pass each event on as it comes, unchanged; nothing may store it.
  response.headers.set("Cache-Control", "no-store, no-transform");
  response.headers.set("X-Accel-Buffering", "no");
  // Once a stream ends (expiry, shutdown), its connection closes with it: an idle keep-alive
  // socket left behind would only hold a drain open for its grace period.
  response.headers.set("Connection", "close");
  return response;
}
