import { Hono, type MiddlewareHandler } from "hono";
import { MemoryStore, rateLimiter, type Store } from "hono-rate-limiter";
import type { CounterStore } from "../src/rate-limit/counter-store";
import { SyncedMemoryStore } from "../src/rate-limit/synced-memory-store";

export interface RateLimitTiming {
  /** The per-user task limiter's store alone, `increment` (µs per call). */
  increment_us_synced: number;
  increment_us_memory: number;
  /** What the whole limiter middleware adds to a request, against the same app without it. */
  middleware_us_synced: number;
  middleware_us_memory: number;
  /** Shared-counter statements sent while the middleware runs were measured. */
  syncs: number;
}

type Env = { Variables: { userId: string } };

const USERS = 1_000;
const REQUESTS = 5_000;
const ROUNDS = 21;

/** Answers like the database would, without one: the sync is off the request path either way. */
function countingCounters(): CounterStore & { calls: number } {
  const counters = {
    calls: 0,
    consume: () => Promise.reject(new Error("not used")),
    refund: () => Promise.resolve(),
    add: async (counts: ReadonlyMap<string, number>) => {
      counters.calls += 1;
      return [...counts].map(([key, count]) => ({ key, count, resetInMs: 60_000 }));
    },
  };
  return counters;
}

function app(limiter: MiddlewareHandler<Env> | undefined) {
  const hono = new Hono<Env>();
  hono.use("/:user/x", (c, next) => {
    c.set("userId", c.req.param("user"));
    return next();
  });
  if (limiter) hono.use("/:user/x", limiter);
  return hono.get("/:user/x", (c) => c.text("ok"));
}

const limiterWith = (store: Store<Env>) =>
  rateLimiter<Env>({
    windowMs: 60_000,
    limit: 10_000_000,
    standardHeaders: "draft-7",
    keyGenerator: (c) => c.var.userId,
    store,
  });

/**
 * CPU time per request of this process (user + system), which other work on a shared machine
 * disturbs much less than wall time. Every 500 requests the event loop turns, as it does between
 * requests of a real server, so that the store's timer can sync (its cost is counted).
 */
async function perRequestUs(hono: Hono<Env>): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) {
    await hono.request(`/user-${i % USERS}/x`);
    if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const used = process.cpuUsage(started);
  return (used.user + used.system) / REQUESTS;
}

function incrementUs(store: Store<Env>): number {
  store.init?.({ windowMs: 60_000 } as Parameters<NonNullable<Store<Env>["init"]>>[0]);
  const count = 1_000_000;
  const started = performance.now();
  for (let i = 0; i < count; i++) store.increment(`user-${i % USERS}`);
  return ((performance.now() - started) * 1000) / count;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * The per-user task limiter in this process (decision 029): its store, and the middleware inside
 * a bare Hono app, against the same app without a limiter and with hono-rate-limiter's memory
 * store. The three apps take turns, ROUNDS times; medians.
 */
export async function rateLimitTiming(): Promise<RateLimitTiming> {
  const counters = countingCounters();
  const bare = app(undefined);
  const memory = app(limiterWith(new MemoryStore<Env>()));
  const synced = app(limiterWith(new SyncedMemoryStore<Env>({ counters, prefix: "tasks:user:" })));
  const times = { bare: [] as number[], memory: [] as number[], synced: [] as number[] };
  for (const hono of [bare, memory, synced]) await perRequestUs(hono);
  for (let round = 0; round < ROUNDS; round++) {
    times.bare.push(await perRequestUs(bare));
    times.memory.push(await perRequestUs(memory));
    times.synced.push(await perRequestUs(synced));
  }
  return {
    increment_us_synced: round2(
      incrementUs(new SyncedMemoryStore<Env>({ counters: countingCounters(), prefix: "t:" })),
    ),
    increment_us_memory: round2(incrementUs(new MemoryStore<Env>())),
    middleware_us_synced: round2(median(times.synced) - median(times.bare)),
    middleware_us_memory: round2(median(times.memory) - median(times.bare)),
    syncs: counters.calls,
  };
}

// Alone: `node --import tsx bench/rate-limit-timing.ts` (about 10 s); `npm run bench` includes it.
if (process.argv[1]?.endsWith("rate-limit-timing.ts")) {
  process.stdout.write(`${JSON.stringify(await rateLimitTiming(), null, 2)}\n`);
}
