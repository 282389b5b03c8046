import type { Logger } from "pino";
import type { Database } from "../db/client";
import { loggableError } from "../http/loggable-error";
import type { ChangeListener } from "./change-listener";
import { latestSeqs, readChanges } from "./changes.queries";
import { toEventJson } from "./event-json";

/** How often the hub asks the database for the newest seq of every user it serves (decision 036). */
export const POLL_INTERVAL_MS = 1_000;
/** Events read per query; a subscriber far behind is served in several reads. */
const PAGE = 500;

/** An event as sent: serialised once, whatever the number of streams of its user. */
export interface OutgoingEvent {
  seq: number;
  json: string;
}

/** Where the hub delivers one stream's events. */
export interface ChangeSink {
  /** The next events after the last one delivered, in order, without gaps or repeats. */
  deliver(events: readonly OutgoingEvent[]): void;
  /**
   * The stream must end: "behind" when the log no longer holds the events it still needs (the
   * client reconnects and is told to reload), "stopping" when the server shuts down.
   */
  end(reason: "behind" | "stopping"): void;
}

export interface Subscription {
  unsubscribe(): void;
}

interface Subscriber {
  sink: ChangeSink;
  /** The last seq this stream has been given. */
  lastSeq: number;
}

interface UserStreams {
  subscribers: Set<Subscriber>;
  /** A read is running; `again` asks it to look once more when it ends. */
  reading: boolean;
  again: boolean;
}

export interface ChangeHub {
  /** Delivers the user's events after `afterSeq` to `sink` until unsubscribed. */
  subscribe(userId: string, afterSeq: number, sink: ChangeSink): Subscription;
  /** Ends every subscription and stops listening and polling (shutdown). */
  stop(): void;
}

/**
 * One per process: it reads each user's new events once, whatever the number of their streams
 * here, and hands them to those streams. Woken by its listeners (this process's writes, other
 * processes' NOTIFY), and by a poll of every served user's seq in one query each second, which
 * alone keeps it correct. It runs only while someone is subscribed.
 */
export function createChangeHub(options: {
  db: Database;
  listeners: ChangeListener[];
  logger: Logger;
  pollIntervalMs?: number;
}): ChangeHub {
  const { db, logger } = options;
  const users = new Map<string, UserStreams>();
  let poller: NodeJS.Timeout | undefined;
  let polling = false;
  let stopListening: Promise<(() => Promise<void>) | undefined>[] = [];

  const lowestSeq = (streams: UserStreams) =>
    Math.min(...[...streams.subscribers].map((subscriber) => subscriber.lastSeq));

  /** Reads the user's events after the stream furthest behind and hands each stream its part. */
  async function read(userId: string) {
    const streams = users.get(userId);
    if (!streams) return;
    if (streams.reading) {
      streams.again = true;
      return;
    }
    streams.reading = true;
    try {
      do {
        streams.again = false;
        let full = true;
        while (full && streams.subscribers.size > 0) {
          const from = lowestSeq(streams);
          const { events, prunedThrough } = await readChanges(db, userId, from, PAGE);
          for (const subscriber of streams.subscribers) {
            if (subscriber.lastSeq < prunedThrough) {
              streams.subscribers.delete(subscriber);
              subscriber.sink.end("behind");
            }
          }
          const outgoing = events.map((row) => {
            const event = toEventJson(row);
            return { seq: event.seq, json: JSON.stringify(event) };
          });
          for (const subscriber of streams.subscribers) {
            const fresh = outgoing.filter((event) => event.seq > subscriber.lastSeq);
            if (fresh.length === 0) continue;
            subscriber.lastSeq = fresh[fresh.length - 1]?.seq ?? subscriber.lastSeq;
            subscriber.sink.deliver(fresh);
          }
          full = events.length === PAGE;
        }
      } while (streams.again && streams.subscribers.size > 0);
    } catch (error) {
      // The next poll tries again; the streams stay where they were.
      logger.warn({ err: loggableError(error), userId }, "reading new change events failed");
    } finally {
      streams.reading = false;
    }
  }

  async function poll() {
    if (polling || users.size === 0) return;
    polling = true;
    try {
      const seqs = await latestSeqs(db, [...users.keys()]);
      for (const [userId, seq] of seqs) {
        const streams = users.get(userId);
        if (streams && seq > lowestSeq(streams)) void read(userId);
      }
    } catch (error) {
      logger.warn({ err: loggableError(error) }, "polling for change events failed");
    } finally {
      polling = false;
    }
  }

  function start() {
    poller = setInterval(() => void poll(), options.pollIntervalMs ?? POLL_INTERVAL_MS);
    poller.unref();
    stopListening = options.listeners.map((listener) =>
      listener
        .start((userId) => {
          if (users.has(userId)) void read(userId);
        })
        .catch((error: unknown) => {
          logger.warn({ err: loggableError(error) }, "cannot listen for change notifications");
          return undefined;
        }),
    );
  }

  function halt() {
    clearInterval(poller);
    poller = undefined;
    for (const stopping of stopListening) {
      void stopping.then((stop) => stop?.()).catch(() => {});
    }
    stopListening = [];
  }

  return {
    subscribe(userId, afterSeq, sink) {
      if (users.size === 0 && !poller) start();
      let streams = users.get(userId);
      if (!streams) {
        streams = { subscribers: new Set(), reading: false, again: false };
        users.set(userId, streams);
      }
      const subscriber: Subscriber = { sink, lastSeq: afterSeq };
      streams.subscribers.add(subscriber);
      // Catch up at once: what was written since `afterSeq` must not wait for the next poll.
      void read(userId);
      return {
        unsubscribe() {
          const current = users.get(userId);
          if (!current?.subscribers.delete(subscriber)) return;
          if (current.subscribers.size === 0) users.delete(userId);
          if (users.size === 0) halt();
        },
      };
    },
    stop() {
      for (const streams of users.values()) {
        for (const subscriber of streams.subscribers) subscriber.sink.end("stopping");
      }
      users.clear();
      halt();
    },
  };
}
