import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createSessionCheck,
  SESSION_RECHECK_MS,
  type SessionRow,
} from "../../src/auth/live-sessions";

/** createSessionCheck on its own: a fake session table, the clock faked. */

const DAY_MS = 86_400_000;

/** A session table in memory whose reads are counted (and can be held back). */
function fakeTable(rows: Record<string, SessionRow> = {}) {
  const table = {
    rows,
    reads: 0,
    /** When set, answers wait for this. */
    hold: undefined as Promise<void> | undefined,
    lookup: async (sessionId: string) => {
      table.reads++;
      // The row as it is when the read reaches the table; the answer may come back later.
      const row = table.rows[sessionId];
      await table.hold;
      return row ? { ...row } : undefined;
    },
  };
  return table;
}

const liveFor = (userId: string, ms = DAY_MS): SessionRow => ({
  userId,
  expiresAt: new Date(Date.now() + ms),
});

beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-11-28T10:00:00Z") });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createSessionCheck", () => {
  it("answers from one read until the bound (30 s by default) has passed, then reads again", async () => {
    const table = fakeTable({ s1: liveFor("u1") });
    const isLive = createSessionCheck(table.lookup);
    expect(await isLive("s1", "u1")).toBe(true);
    delete table.rows.s1; // signed out
    vi.advanceTimersByTime(SESSION_RECHECK_MS - 1);
    expect(await isLive("s1", "u1")).toBe(true);
    expect(table.reads).toBe(1);
    vi.advanceTimersByTime(1);
    expect(await isLive("s1", "u1")).toBe(false);
    expect(table.reads).toBe(2);
  });

  it("shares one read between concurrent misses for the same session", async () => {
    const table = fakeTable({ s1: liveFor("u1"), s2: liveFor("u2") });
    let release = () => {};
    table.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const isLive = createSessionCheck(table.lookup);
    const answers = Promise.all([
      ...Array.from({ length: 10 }, () => isLive("s1", "u1")),
      isLive("s2", "u2"),
    ]);
    release();
    expect(await answers).toEqual(Array(11).fill(true));
    expect(table.reads).toBe(2);
  });

  it("counts the bound from the start of a read, so a slow read cannot stretch it", async () => {
    const table = fakeTable({ s1: liveFor("u1") });
    let release = () => {};
    table.hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const isLive = createSessionCheck(table.lookup, 1_000);
    const first = isLive("s1", "u1");
    vi.advanceTimersByTime(900); // the read takes 900 ms; the session ends meanwhile
    delete table.rows.s1;
    release();
    expect(await first).toBe(true);
    table.hold = undefined;
    vi.advanceTimersByTime(100); // 1,000 ms after the read began, not after it answered
    expect(await isLive("s1", "u1")).toBe(false);
  });

  it("remembers a missing session for the bound too: a revoked token costs no read per request", async () => {
    const table = fakeTable();
    const isLive = createSessionCheck(table.lookup);
    for (let i = 0; i < 50; i++) expect(await isLive("gone", "u1")).toBe(false);
    expect(table.reads).toBe(1);
  });

  it("refuses a session of another user", async () => {
    const table = fakeTable({ s1: liveFor("u1") });
    const isLive = createSessionCheck(table.lookup);
    expect(await isLive("s1", "u2")).toBe(false);
    expect(await isLive("s1", "u1")).toBe(true);
    expect(table.reads).toBe(1);
  });

  it("refuses an expired session; reads once more when it expired after the read, not on every call", async () => {
    const table = fakeTable({ s1: liveFor("u1", 10_000), old: liveFor("u1", -1) });
    const isLive = createSessionCheck(table.lookup);
    expect(await isLive("old", "u1")).toBe(false);
    expect(await isLive("old", "u1")).toBe(false);
    expect(table.reads).toBe(1);

    expect(await isLive("s1", "u1")).toBe(true);
    vi.advanceTimersByTime(10_000); // past its expiry, within the bound
    expect(await isLive("s1", "u1")).toBe(false);
    expect(table.reads).toBe(3);
    expect(await isLive("s1", "u1")).toBe(false);
    expect(table.reads).toBe(3);
  });

  it("sees an extension made while it held the old expiry", async () => {
    const table = fakeTable({ s1: liveFor("u1", 10_000) });
    const isLive = createSessionCheck(table.lookup);
    expect(await isLive("s1", "u1")).toBe(true);
    table.rows.s1 = liveFor("u1", 20_000); // Better Auth's sliding refresh
    vi.advanceTimersByTime(10_000);
    expect(await isLive("s1", "u1")).toBe(true);
  });

  it("throws a failed read as it is and does not remember it", async () => {
    const table = fakeTable({ s1: liveFor("u1") });
    const failure = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    let fail = true;
    const isLive = createSessionCheck(async (id) => {
      if (fail) throw failure;
      return table.lookup(id);
    });
    await expect(isLive("s1", "u1")).rejects.toBe(failure);
    fail = false;
    expect(await isLive("s1", "u1")).toBe(true);
  });
});
