import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import type { Logger } from "pino";
import type { DatabaseHandle } from "../db/client";
import { loggableError } from "../http/loggable-error";
import { CHANGE_CHANNEL, type ChangeListener } from "./change-listener";

/**
 * How long announcements to the other processes gather before one NOTIFY sends them all: at most
 * 100 NOTIFY transactions a second per process, whatever the writes (decision 047).
 */
export const NOTIFY_BATCH_MS = 10;

/**
 * Tells the live streams that a user's tasks changed, once the write has committed (decision 047):
 * this process's hub at once, and the other processes through NOTIFY, in batches, outside the
 * write's transaction. Only a wake-up: the streams' poll finds every change anyway.
 */
export interface ChangeSignal extends ChangeListener {
  /** A write of `userId`'s tasks has committed. */
  changed(userId: string): void;
  /**
   * At shutdown, before the pool closes: sends what is gathered, after a send in progress. Later
   * writes (a drain that timed out) wake this process's hub only.
   */
  flush(): Promise<void>;
  /** Tells the listener of other processes' notifications which ones this process sent. */
  readonly origin: string;
}

export function changeSignal(options: {
  database: DatabaseHandle;
  /** SYNC_NOTIFY. Off, or on PGlite (one process), nothing is sent. */
  notify: boolean;
  logger: Logger;
}): ChangeSignal {
  const origin = randomUUID();
  const listeners = new Set<(userId: string) => void>();
  const sendsNotify = options.notify && options.database.kind === "postgres";
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let sending: Promise<void> | undefined;
  let closed = false;

  async function send() {
    clearTimeout(timer);
    timer = undefined;
    if (pending.size === 0) return;
    const users = [...pending];
    pending = new Set();
    sending = notifyOthers(users);
    await sending;
  }

  async function notifyOthers(users: string[]) {
    try {
      await options.database.db.execute(sql`
        select pg_notify(${CHANGE_CHANNEL}, json_build_object('user_id', u, 'origin', ${origin}::text)::text)
        from json_array_elements_text(${JSON.stringify(users)}::json) as u`);
    } catch (error) {
      options.logger.warn(
        { err: loggableError(error), users: users.length },
        "change notification not sent; other processes poll for it",
      );
    }
  }

  return {
    origin,
    changed(userId) {
      for (const listener of listeners) listener(userId);
      if (!sendsNotify || closed) return;
      pending.add(userId);
      if (!timer) {
        timer = setTimeout(() => void send(), NOTIFY_BATCH_MS);
        timer.unref();
      }
    },
    async flush() {
      closed = true;
      await sending;
      await send();
    },
    async start(onChange) {
      listeners.add(onChange);
      return async () => {
        listeners.delete(onChange);
      };
    },
  };
}
