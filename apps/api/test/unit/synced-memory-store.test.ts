import { afterEach, describe, expect, it, vi } from "vitest";
import type { CounterStore, Total } from "../../src/rate-limit/counter-store";
import { SYNC_INTERVAL_MS, SyncedMemoryStore } from "../../src/rate-limit/synced-memory-store";

/** The shared counters in memory: what several replicas' stores add to (one window per key). */
function sharedCounters() {
  const counts = new Map<string, number>();
  const calls: Map<string, number>[] = [];
  let failNext = false;
  let hold: Promise<void> | undefined;
  const counters: CounterStore = {
    consume: () => Promise.reject(new Error("not used")),
    refund: () => Promise.reject(new Error("not used")),
    async add(added) {
      calls.push(new Map(added));
      if (hold) await hold;
      if (failNext) {
        failNext = false;
        throw new Error("connect ECONNREFUSED");
      }
      const totals: Total[] = [];
      for (const [key, amount] of added) {
        counts.set(key, (counts.get(key) ?? 0) + amount);
        totals.push({ key, count: counts.get(key) ?? 0, resetInMs: 30_000 });
      }
      return totals;
    },
  };
  return {
    counters,
    counts,
    calls,
    failOnce: () => {
      failNext = true;
    },
    /** Holds every `add` until the returned function is called. */
    holdAdds: () => {
      let release = () => {};
      hold = new Promise((resolve) => {
        release = () => {
          hold = undefined;
          resolve();
        };
      });
      return release;
    },
  };
}

function storeOn(counters: CounterStore, onSyncError?: (error: unknown) => void) {
  const store = new SyncedMemoryStore({ counters, prefix: "tasks:user:", onSyncError });
  // What hono-rate-limiter does with its options.
  store.init({ windowMs: 60_000 } as Parameters<typeof store.init>[0]);
  return store;
}

const hits = (store: SyncedMemoryStore, key: string, times: number) => {
  let total = 0;
  for (let i = 0; i < times; i++) total = store.increment(key).totalHits;
  return total;
};

afterEach(() => {
  vi.useRealTimers();
});

describe("SyncedMemoryStore", () => {
  it("judges each request by the last shared total plus what it counted since", async () => {
    const shared = sharedCounters();
    const [a, b] = [storeOn(shared.counters), storeOn(shared.counters)];
    expect(hits(a, "u", 3)).toBe(3);
    expect(hits(b, "u", 2)).toBe(2);
    await a.flush();
    await b.flush();
    expect(shared.counts.get("tasks:user:u")).toBe(5);
    // b heard of a's three; a has not heard of b's two yet: the bounded overshoot of decision 029.
    expect(b.increment("u").totalHits).toBe(6);
    expect(a.increment("u").totalHits).toBe(4);
    await a.flush();
    expect(a.increment("u").totalHits).toBe(7);
  });

  it("sends one batch per sync, with every key counted since the last, and nothing when idle", async () => {
    const shared = sharedCounters();
    const store = storeOn(shared.counters);
    hits(store, "u1", 100);
    hits(store, "u2", 3);
    expect(shared.calls).toHaveLength(0);
    await store.flush();
    expect(shared.calls).toEqual([
      new Map([
        ["tasks:user:u1", 100],
        ["tasks:user:u2", 3],
      ]),
    ]);
    await store.flush();
    hits(store, "u2", 1);
    await store.flush();
    expect(shared.calls).toHaveLength(2);
    expect(shared.calls[1]).toEqual(new Map([["tasks:user:u2", 1]]));
  });

  it("syncs by itself within one interval of a count", async () => {
    vi.useFakeTimers();
    const shared = sharedCounters();
    const store = storeOn(shared.counters);
    hits(store, "u", 2);
    await vi.advanceTimersByTimeAsync(SYNC_INTERVAL_MS - 1);
    expect(shared.calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(shared.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(SYNC_INTERVAL_MS * 10);
    expect(shared.calls).toHaveLength(1);
  });

  it("still counts what is on its way to the shared counter", async () => {
    const shared = sharedCounters();
    const store = storeOn(shared.counters);
    hits(store, "u", 4);
    const release = shared.holdAdds();
    const syncing = store.flush();
    expect(store.increment("u").totalHits).toBe(5);
    release();
    await syncing;
    expect(store.increment("u").totalHits).toBe(6);
    await store.flush();
    expect(shared.counts.get("tasks:user:u")).toBe(6);
  });

  it("keeps the counts of a failed sync for the next one, and reports the failure once", async () => {
    const shared = sharedCounters();
    const errors: unknown[] = [];
    const store = storeOn(shared.counters, (error) => errors.push(error));
    hits(store, "u", 3);
    shared.failOnce();
    await store.flush();
    expect(store.increment("u").totalHits).toBe(4);
    await store.flush();
    expect(shared.counts.get("tasks:user:u")).toBe(4);
    expect(errors).toHaveLength(1);
  });

  it("starts a key from zero once its window has ended, and forgets its unsent counts", async () => {
    vi.useFakeTimers();
    const shared = sharedCounters();
    const store = storeOn(shared.counters);
    hits(store, "u", 5);
    vi.setSystemTime(Date.now() + 60_001);
    expect(store.increment("u").totalHits).toBe(1);
    await store.flush();
    expect(shared.counts.get("tasks:user:u")).toBe(1);
  });

  it("takes the end of the window from the shared counter", async () => {
    const shared = sharedCounters();
    const store = storeOn(shared.counters);
    store.increment("u");
    await store.flush();
    const { resetTime } = store.increment("u");
    expect((resetTime?.getTime() ?? 0) - Date.now()).toBeGreaterThan(29_000);
    expect((resetTime?.getTime() ?? 0) - Date.now()).toBeLessThanOrEqual(30_000);
  });
});
