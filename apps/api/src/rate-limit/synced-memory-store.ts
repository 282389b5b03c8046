import type { Env } from "hono";
import type { ClientRateLimitInfo, HonoConfigType, Store } from "hono-rate-limiter";
import type { CounterStore } from "./counter-store";

/**
 * How often a replica adds what it counted to the shared counters and reads back every replica's
 * totals. It bounds how far replicas together can pass a limit (decision 029).
 */
export const SYNC_INTERVAL_MS = 250;

/** One key's current window, as this replica knows it. */
interface Window {
  /** Every replica's count, as the shared counter answered at this replica's last sync. */
  shared: number;
  /** Counted here and on its way to the shared counter. */
  sending: number;
  /** Counted here since. */
  local: number;
  resetTime: Date;
}

/**
 * A hono-rate-limiter store that counts in memory, with no I/O per request, and shares the counts
 * with every replica on the database: at most every SYNC_INTERVAL_MS, one statement adds each
 * touched key's new hits to the shared counter store and reads back the totals. A request is
 * judged against the last shared total plus what this replica counted since, so replicas
 * together may pass a limit by what the others admitted since the last sync (decision 029).
 * Windows are fixed and begin at a key's first count in the shared store, as in counter-store.ts.
 */
export class SyncedMemoryStore<E extends Env = Env> implements Store<E> {
  readonly #counters: CounterStore;
  readonly #prefix: string;
  readonly #syncIntervalMs: number;
  readonly #onSyncError: (error: unknown) => void;
  #windowMs = 60_000;
  readonly #windows = new Map<string, Window>();
  /** Keys counted since the last sync began. */
  #touched = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #lastSweep = Date.now();
  #failing = false;

  constructor(options: {
    counters: CounterStore;
    /** Prepended to each key in the shared table, e.g. "tasks:user:". */
    prefix: string;
    /** A sync failed (the database is down): the counts stay here and go with the next one. */
    onSyncError?: (error: unknown) => void;
    syncIntervalMs?: number;
  }) {
    this.#counters = options.counters;
    this.#prefix = options.prefix;
    this.#syncIntervalMs = options.syncIntervalMs ?? SYNC_INTERVAL_MS;
    this.#onSyncError = options.onSyncError ?? (() => {});
  }

  init(options: HonoConfigType<E>) {
    this.#windowMs = options.windowMs;
  }

  increment(key: string): ClientRateLimitInfo {
    const now = Date.now();
    let window = this.#windows.get(key);
    if (window === undefined || window.resetTime.getTime() <= now) {
      // A new window. The old one's counts still unsent belong to a window that is over: dropped.
      window = { shared: 0, sending: 0, local: 0, resetTime: new Date(now + this.#windowMs) };
      this.#windows.set(key, window);
    }
    window.local += 1;
    this.#touched.add(key);
    this.#scheduleSync();
    return {
      totalHits: window.shared + window.sending + window.local,
      resetTime: window.resetTime,
    };
  }

  decrement(key: string) {
    const window = this.#windows.get(key);
    if (window && window.local > 0) window.local -= 1;
  }

  resetKey(key: string) {
    this.#windows.delete(key);
    this.#touched.delete(key);
  }

  /** Sends what is counted now instead of at the next tick: for tests. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#syncing;
    await this.#sync();
  }

  #scheduleSync() {
    if (this.#timer !== undefined || this.#syncing) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#sync();
    }, this.#syncIntervalMs);
    // Counts not yet shared never keep a process alive: losing them costs one interval's accuracy.
    this.#timer.unref();
  }

  #sync(): Promise<void> {
    this.#syncing ??= this.#send().finally(() => {
      this.#syncing = undefined;
      this.#sweepSometimes();
      if (this.#touched.size > 0) this.#scheduleSync();
    });
    return this.#syncing;
  }

  async #send() {
    // Keyed as in the shared table.
    const batch = new Map<string, { key: string; window: Window }>();
    for (const key of this.#touched) {
      const window = this.#windows.get(key);
      if (!window || window.local === 0) continue;
      window.sending = window.local;
      window.local = 0;
      batch.set(this.#prefix + key, { key, window });
    }
    this.#touched = new Set();
    if (batch.size === 0) return;
    try {
      const counts = new Map([...batch].map(([shared, { window }]) => [shared, window.sending]));
      const totals = await this.#counters.add(counts, Math.ceil(this.#windowMs / 1000));
      const now = Date.now();
      for (const total of totals) {
        const window = batch.get(total.key)?.window;
        if (!window) continue;
        window.shared = total.count;
        window.sending = 0;
        window.resetTime.setTime(now + total.resetInMs);
      }
      this.#failing = false;
    } catch (error) {
      // Kept for the next sync; meanwhile this replica goes on counting alone.
      for (const { key, window } of batch.values()) {
        window.local += window.sending;
        window.sending = 0;
        this.#touched.add(key);
      }
      if (!this.#failing) this.#onSyncError(error);
      this.#failing = true;
    }
  }

  /** Windows that ended, once a window: memory follows the users of the last minute. */
  #sweepSometimes() {
    const now = Date.now();
    if (now - this.#lastSweep < this.#windowMs) return;
    this.#lastSweep = now;
    for (const [key, window] of this.#windows) {
      if (window.resetTime.getTime() <= now && window.sending === 0) this.#windows.delete(key);
    }
  }
}
