import { type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { idempotencyKeys as keys } from "../db/sync-schema";
import { IDEMPOTENCY_KEY_TTL_HOURS } from "./idempotency-key";
import type { StoredResponse } from "./stored-response";

// The idempotency_keys rows (migration 0006, decision 037): one per user and key. A row whose
// status is null is a claim: a request is running with that key, or ran and never committed (its
// process died, or it failed with a 5xx), which `locked_until` bounds.

/**
 * How long a claim holds off other requests with its key: longer than the 5 s request deadline
 * (REQUEST_TIMEOUT_MS), so a live request is never overtaken. Only a retry after a crash waits for
 * it; correctness never depends on it (see `recordResponse`).
 */
export const CLAIM_LEASE_SECONDS = 10;

const ttl = sql.raw(`interval '${IDEMPOTENCY_KEY_TTL_HOURS} hours'`);

/** Both drivers (node-postgres and PGlite) answer `execute` with `{ rows }`. */
async function rowsOf<T extends Record<string, unknown>>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute<T>(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * What a claim is known by: the id of the transaction that wrote its row (`xmin`). Any later write
 * to the row (a retake after the lease, a clean-up) changes it, so a request that lost its claim
 * cannot record its answer, and rolls back instead.
 */
export type ClaimToken = string;

export type Existing =
  | { kind: "stored"; fingerprint: string; response: StoredResponse }
  | { kind: "running"; fingerprint: string };

interface Row extends Record<string, unknown> {
  fingerprint: string;
  status: number | null;
  headers: Record<string, string> | null;
  body: string | null;
}

/**
 * Claims `key` for a request with this fingerprint, in a statement of its own (committed at once,
 * so other replicas see it): a new key, an expired one, or a claim whose lease lapsed without an
 * answer (its request was rolled back) with the same fingerprint. Undefined when the key is taken.
 */
export async function claimKey(
  db: Database,
  userId: string,
  key: string,
  fingerprint: string,
): Promise<ClaimToken | undefined> {
  const [row] = await rowsOf<{ claim: string }>(
    db,
    sql`
    insert into ${keys} as k (user_id, key, fingerprint, locked_until)
    values (${userId}, ${key}, ${fingerprint}, now() + make_interval(secs => ${CLAIM_LEASE_SECONDS}))
    on conflict (user_id, key) do update set
      fingerprint = excluded.fingerprint, status = null, headers = null, body = null,
      created_at = now(), locked_until = excluded.locked_until
    where k.created_at <= now() - ${ttl}
      or (k.status is null and k.locked_until <= now() and k.fingerprint = excluded.fingerprint)
    returning k.xmin::text as claim`,
  );
  return row?.claim;
}

/** The live (unexpired) row of a key that could not be claimed; undefined if it just expired. */
export async function findKey(
  db: Database,
  userId: string,
  key: string,
): Promise<Existing | undefined> {
  const [row] = await rowsOf<Row>(
    db,
    sql`
    select fingerprint, status, headers, body from ${keys}
    where user_id = ${userId} and key = ${key} and created_at > now() - ${ttl}`,
  );
  if (!row) return undefined;
  if (row.status === null) return { kind: "running", fingerprint: row.fingerprint };
  return {
    kind: "stored",
    fingerprint: row.fingerprint,
    response: { status: row.status, headers: row.headers ?? {}, body: row.body ?? "" },
  };
}

/**
 * Stores the answer on the claim, inside the request's own transaction: the write and its answer
 * commit together or not at all. False when the claim was lost (retaken after its lease by a
 * retry, which now does the work): the caller must roll back.
 */
export async function recordResponse(
  tx: Database,
  userId: string,
  key: string,
  claim: ClaimToken,
  response: StoredResponse,
): Promise<boolean> {
  const rows = await rowsOf(
    tx,
    sql`
    update ${keys} set status = ${response.status}, headers = ${JSON.stringify(response.headers)}::jsonb,
      body = ${response.body}, locked_until = now()
    where user_id = ${userId} and key = ${key} and xmin::text = ${claim} and status is null
    returning 1 as recorded`,
  );
  return rows.length === 1;
}

/** Gives a claim up (its request failed with a 5xx and was rolled back): a retry may run at once. */
export async function releaseClaim(db: Database, userId: string, key: string, claim: ClaimToken) {
  await db.execute(sql`
    delete from ${keys}
    where user_id = ${userId} and key = ${key} and xmin::text = ${claim} and status is null`);
}

const CLEANUP_BATCH = 1_000;

/**
 * Deletes up to CLEANUP_BATCH expired keys. Safe on any number of replicas at once (each deletes
 * what is still there), and only for tidiness: an expired row is already treated as absent.
 */
export async function deleteExpiredKeys(db: Database): Promise<number> {
  const rows = await rowsOf(
    db,
    sql`
    delete from ${keys} where (user_id, key) in (
      select user_id, key from ${keys} where created_at <= now() - ${ttl} limit ${CLEANUP_BATCH}
    ) returning 1 as deleted`,
  );
  return rows.length;
}

/** How often each process deletes expired keys. */
export const CLEANUP_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes expired keys now and every CLEANUP_INTERVAL_MS, in bounded batches (a backlog drains a
 * batch per run). Returns a function that stops the timer.
 */
export function forgetExpiredKeys(db: Database, onError: (error: unknown) => void): () => void {
  const run = () => {
    deleteExpiredKeys(db).catch(onError);
  };
  run();
  const timer = setInterval(run, CLEANUP_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
