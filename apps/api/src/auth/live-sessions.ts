import { LRUCache } from "lru-cache";

/**
 * How long a process trusts what it last read about a session: a JWT whose session was ended
 * (sign-out, revocation, password change, expiry) through any process on the same database is
 * refused everywhere within this bound. Also the most often one process reads one session row.
 * See docs/decisions/019-jwt-session-binding.md.
 */
export const SESSION_RECHECK_MS = 30_000;

/** What the session table says about one session id; undefined when there is no such row. */
export interface SessionRow {
  userId: string;
  expiresAt: Date;
}

export type SessionLookup = (sessionId: string) => Promise<SessionRow | undefined>;

/** Answers whether a session is live for a user: from memory, or after one indexed read. */
export type SessionCheck = (sessionId: string, userId: string) => Promise<boolean>;

interface Entry {
  /** null: no such session (signed out, revoked, never existed). */
  row: SessionRow | null;
  /** When the read that produced this entry started: the entry is trusted for the bound from then. */
  readAt: number;
}

const MAX_ENTRIES = 100_000;

/**
 * A small cache in front of the session table. An answer (live or gone) is reused for at most
 * `recheckMs` counted from the start of the read that produced it, so a row deleted after the read
 * began cannot be trusted for longer than the bound. Concurrent misses for one id share one read.
 * A failed read is not cached and is thrown as it is: a database that is down becomes a 503 in
 * on-error.ts, never a 401 that would sign users out.
 */
export function createSessionCheck(
  lookup: SessionLookup,
  recheckMs: number = SESSION_RECHECK_MS,
): SessionCheck {
  const entries = new LRUCache<string, Entry>({ max: MAX_ENTRIES });
  const reads = new Map<string, Promise<Entry>>();

  const read = (sessionId: string): Promise<Entry> => {
    const pending = reads.get(sessionId);
    if (pending) return pending;
    const readAt = Date.now();
    const started = lookup(sessionId)
      .then((row) => {
        const entry = { row: row ?? null, readAt };
        entries.set(sessionId, entry);
        return entry;
      })
      .finally(() => reads.delete(sessionId));
    reads.set(sessionId, started);
    return started;
  };

  return async (sessionId, userId) => {
    const now = Date.now();
    let entry = entries.get(sessionId);
    if (!entry || now - entry.readAt >= recheckMs || expiredSinceRead(entry, now)) {
      entry = await read(sessionId);
    }
    return entry.row !== null && entry.row.userId === userId && !isExpired(entry, Date.now());
  };
}

const isExpired = (entry: Entry, now: number) =>
  entry.row !== null && entry.row.expiresAt.getTime() <= now;

/**
 * The session expired after it was read: Better Auth may have extended it in the meantime (its
 * sliding `updateAge`), so read once more rather than refuse a live user for up to the bound. A
 * session already expired when read is not read again before the bound: no read per request.
 */
const expiredSinceRead = (entry: Entry, now: number) =>
  isExpired(entry, now) && entry.row !== null && entry.readAt < entry.row.expiresAt.getTime();
