import { type ChangeEvent, isChangeEvent } from "./change-event";
import { createSseParser } from "./sse-parser";

export interface ChangeStreamOptions {
  userId: string;
  /** A JWT; `force` after a 401 (the cached one was refused). */
  getToken(force: boolean): Promise<string>;
  /** The last seq this tab has, or null when it has none yet (or it was too old: 410). */
  lastSeq(): number | null;
  /** Events as they arrive, in order (one call per chunk read). */
  onEvents(events: ChangeEvent[]): void;
  /**
   * The stream starts over from `bookmark` (first start, or after a 410): whatever the tab shows
   * must be reloaded, since changes before the bookmark will not be sent.
   */
  onResync(bookmark: number): void;
  /** Connected (true) or waiting to reconnect (false). */
  onStatus?(connected: boolean): void;
  signal: AbortSignal;
  fetch?: typeof fetch;
  /** For tests. */
  sleep?(ms: number, signal: AbortSignal): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;

class Retry extends Error {
  constructor(readonly afterMs = 0) {
    super("retry");
  }
}

const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });

const retryAfterMs = (response: Response) => {
  const seconds = Number(response.headers.get("Retry-After"));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
};

/**
 * Keeps `GET /api/{user_id}/events` open until `signal` aborts, with fetch (EventSource cannot
 * send the Bearer header). It resumes with Last-Event-ID after every drop, with an exponential,
 * jittered backoff after failures; takes a new token on 401 and when the server closes the stream
 * at the token's expiry; starts over from a fresh bookmark on 410.
 */
export async function runChangeStream(options: ChangeStreamOptions): Promise<void> {
  const { userId, signal } = options;
  const doFetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const sleep = options.sleep ?? abortableSleep;
  const base = `/api/${encodeURIComponent(userId)}`;
  let failures = 0;
  let forceToken = false;

  async function authorized(path: string, headers: Record<string, string> = {}) {
    const token = await options.getToken(forceToken);
    forceToken = false;
    const response = await doFetch(`${base}${path}`, {
      headers: { Authorization: `Bearer ${token}`, ...headers },
      cache: "no-store",
      signal,
    });
    if (response.status === 401) {
      forceToken = true;
      throw new Retry();
    }
    return response;
  }

  async function bookmark(): Promise<number> {
    const response = await authorized("/changes");
    if (!response.ok) throw new Retry(retryAfterMs(response));
    const body = (await response.json()) as { next?: unknown };
    if (typeof body.next !== "number") throw new Retry();
    options.onResync(body.next);
    return body.next;
  }

  async function follow(since: number) {
    const response = await authorized("/events", {
      Accept: "text/event-stream",
      "Last-Event-ID": String(since),
    });
    if (response.status === 410) {
      // Too far behind: start over from a fresh bookmark, at once.
      await bookmark();
      return;
    }
    if (!response.ok || !response.body) throw new Retry(retryAfterMs(response));
    failures = 0;
    options.onStatus?.(true);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let batch: ChangeEvent[] = [];
    const parser = createSseParser((message) => {
      if (message.event !== "task") return;
      const event: unknown = JSON.parse(message.data);
      if (isChangeEvent(event)) batch.push(event);
    });
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        parser.push(value);
        if (batch.length > 0) {
          const events = batch;
          batch = [];
          options.onEvents(events);
        }
      }
    } finally {
      options.onStatus?.(false);
      reader.cancel().catch(() => {});
    }
  }

  while (!signal.aborted) {
    try {
      await follow(options.lastSeq() ?? (await bookmark()));
      // The server ended the stream (token expiry, a restart): reconnect soon, not all at once.
      await sleep(250 + Math.random() * 750, signal);
    } catch (error) {
      if (signal.aborted) return;
      failures += 1;
      const backoff = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** (failures - 1));
      const wait = Math.max(error instanceof Retry ? error.afterMs : 0, backoff);
      await sleep(wait * (0.5 + Math.random() / 2), signal);
    }
  }
}
