import pg from "pg";
import type { DatabaseHandle } from "../db/client";
import type { Auth } from "./auth";

/** Any fixed number, distinct from the migration lock's (db/migrate.ts). */
const SIGNING_KEY_LOCK_ID = 7_412_903_312;

/**
 * Better Auth's jwt plugin creates its signing key the first time one is needed, without a lock:
 * replicas (or parallel requests in one process) that start on an empty database each create their
 * own, and a replica whose key set was read before another's key existed refuses that replica's
 * tokens until it reads the set again. So the key is made at start-up instead, one replica at a
 * time, through the plugin's own `getJwks` (it creates a key when there is none); see decision
 * 028. The lock is a transaction lock on a connection of its own: it holds through a
 * transaction-mode pooler as well, and the pool stays free for Better Auth's queries.
 */
export async function ensureSigningKey(database: DatabaseHandle, auth: Auth): Promise<void> {
  // PGlite belongs to this one process, and its requests are not served yet.
  if (database.kind === "pglite") {
    await auth.api.getJwks();
    return;
  }
  const client = new pg.Client({ connectionString: database.directUrl });
  await client.connect();
  try {
    await client.query("begin");
    await client.query("select pg_advisory_xact_lock($1)", [SIGNING_KEY_LOCK_ID]);
    await auth.api.getJwks();
    await client.query("commit");
  } finally {
    // Without the commit (getJwks failed) this ends the transaction and so the lock too.
    await client.end();
  }
}
