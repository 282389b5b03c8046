import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseHandle } from "../../src/db/client";
import { rateLimitCounters } from "../../src/db/rate-limit-schema";
import {
  type CounterStore,
  createCounterStore,
  type Limit,
} from "../../src/rate-limit/counter-store";
import { openTestDatabase } from "../support/test-server";

// The shared counter store on each engine: the guarantees the sign-in limits rest on.

let database: DatabaseHandle;
let store: CounterStore;

beforeAll(async () => {
  database = await openTestDatabase();
  store = createCounterStore(database.db);
});
afterAll(() => database.close());

const newKey = () => `test:${randomUUID()}`;
const limitOf = (key: string, max: number, windowSeconds = 60): Limit => ({
  key,
  max,
  windowSeconds,
});

async function countOf(key: string): Promise<number | undefined> {
  const [row] = await database.db
    .select({ count: rateLimitCounters.count })
    .from(rateLimitCounters)
    .where(eq(rateLimitCounters.key, key));
  return row?.count;
}

describe("the counter store", () => {
  it("allows max requests in a window, then refuses with the seconds left", async () => {
    const key = newKey();
    for (let i = 0; i < 3; i++) {
      expect(await store.consume([limitOf(key, 3, 120)])).toEqual({
        allowed: true,
        counted: [key],
      });
    }
    const refused = await store.consume([limitOf(key, 3, 120)]);
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(119);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(120);
    }
    expect(await countOf(key)).toBe(3);
  });

  it("lets exactly max of many parallel requests through", async () => {
    const key = newKey();
    const verdicts = await Promise.all(
      Array.from({ length: 40 }, () => store.consume([limitOf(key, 7)])),
    );
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(7);
    expect(await countOf(key)).toBe(7);
  });

  it("keeps every key of parallel requests within its limit", async () => {
    const [shared, ...own] = [newKey(), ...Array.from({ length: 30 }, newKey)];
    const verdicts = await Promise.all(
      own.map((key) => store.consume([limitOf(key, 1), limitOf(shared, 10)])),
    );
    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(10);
    expect(await countOf(shared)).toBe(10);
    // The refused requests gave back what they had counted.
    const ownCounts = await Promise.all(own.map(countOf));
    expect(ownCounts.filter((count) => count === 1)).toHaveLength(10);
  });

  it("takes parallel requests over the same keys without a deadlock, refunds included", async () => {
    // A sign-in's three keys (account at address, account, address), 12 guesses at once, 100
    // times: the requests that race past the check refund their counts while others count. Rows
    // locked in different orders made Postgres abort a statement, after a second's wait (the
    // sign-in answered 500), in about one burst in twenty: 100 bursts all but always meet one.
    for (let burst = 0; burst < 100; burst++) {
      const [perAddress, account, address] = [newKey(), newKey(), newKey()];
      const limits = [limitOf(perAddress, 5), limitOf(account, 10), limitOf(address, 100)];
      const verdicts = await Promise.all(Array.from({ length: 12 }, () => store.consume(limits)));
      expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(5);
      expect(await Promise.all([perAddress, account, address].map(countOf))).toEqual([5, 5, 5]);
    }
  });

  it("counts a refused request against none of its keys", async () => {
    const [full, other] = [newKey(), newKey()];
    await store.consume([limitOf(full, 1)]);
    const verdict = await store.consume([limitOf(full, 1), limitOf(other, 100)]);
    expect(verdict.allowed).toBe(false);
    expect(await countOf(other)).toBeUndefined();
    expect(await countOf(full)).toBe(1);
  });

  it("gives the longest wait among the limits that refuse", async () => {
    const [short, long] = [newKey(), newKey()];
    await store.consume([limitOf(short, 1, 30), limitOf(long, 1, 600)]);
    const verdict = await store.consume([limitOf(short, 1, 30), limitOf(long, 1, 600)]);
    expect(verdict.allowed ? 0 : verdict.retryAfterSeconds).toBeGreaterThan(590);
  });

  it("gives one request back on refund", async () => {
    const key = newKey();
    await store.consume([limitOf(key, 2)]);
    const second = await store.consume([limitOf(key, 2)]);
    expect(second.allowed).toBe(true);
    if (second.allowed) await store.refund(second.counted);
    expect((await store.consume([limitOf(key, 2)])).allowed).toBe(true);
    expect((await store.consume([limitOf(key, 2)])).allowed).toBe(false);
  });

  it("starts a new window once the old one has ended", async () => {
    const key = newKey();
    await database.db
      .insert(rateLimitCounters)
      .values({ key, count: 5, resetAt: sql`now() - interval '1 second'` });
    const verdict = await store.consume([limitOf(key, 5, 60)]);
    expect(verdict.allowed).toBe(true);
    expect(await countOf(key)).toBe(1);
  });

  it("deletes expired rows in the background", async () => {
    const expired = newKey();
    await database.db
      .insert(rateLimitCounters)
      .values({ key: expired, count: 1, resetAt: sql`now() - interval '1 hour'` });
    // A new store has not cleaned up yet: its first request does.
    await createCounterStore(database.db).consume([limitOf(newKey(), 5)]);
    await expect.poll(() => countOf(expired), { timeout: 5_000 }).toBeUndefined();
  });
});

describe("adding counts in batches (the task limit's sync)", () => {
  it("adds to many keys in one call and answers each key's total and the time left", async () => {
    const [first, second] = [newKey(), newKey()];
    expect(
      await store.add(
        new Map([
          [first, 3],
          [second, 1],
        ]),
        60,
      ),
    ).toEqual(
      expect.arrayContaining([
        { key: first, count: 3, resetInMs: expect.any(Number) },
        { key: second, count: 1, resetInMs: expect.any(Number) },
      ]),
    );
    const [total] = await store.add(new Map([[first, 2]]), 60);
    expect(total?.count).toBe(5);
    expect(total?.resetInMs).toBeGreaterThan(58_000);
    expect(total?.resetInMs).toBeLessThanOrEqual(60_000);
    expect(await countOf(first)).toBe(5);
  });

  it("starts a new window for a key whose window has ended", async () => {
    const key = newKey();
    await database.db
      .insert(rateLimitCounters)
      .values({ key, count: 50, resetAt: sql`now() - interval '1 second'` });
    const [total] = await store.add(new Map([[key, 2]]), 60);
    expect(total?.count).toBe(2);
    expect(total?.resetInMs).toBeGreaterThan(58_000);
  });

  it("takes a thousand keys in one statement, and does nothing for none", async () => {
    const counts = new Map(Array.from({ length: 1_000 }, () => [newKey(), 1] as const));
    expect(await store.add(counts, 60)).toHaveLength(1_000);
    expect(await store.add(new Map(), 60)).toEqual([]);
  });

  it("lets replicas add overlapping keys in opposite orders at once without a deadlock", async () => {
    const keys = Array.from({ length: 50 }, newKey);
    const forward = new Map(keys.map((key) => [key, 1]));
    const backward = new Map([...keys].reverse().map((key) => [key, 1]));
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => store.add(i % 2 ? forward : backward, 60)),
    );
    expect(await Promise.all(keys.map(countOf))).toEqual(keys.map(() => 6));
  });
});
