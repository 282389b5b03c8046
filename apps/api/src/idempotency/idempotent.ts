import { createHash } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { type Database, inTransaction } from "../db/client";
import { loggableError } from "../http/loggable-error";
import { requestLogger } from "../http/request-log";
import {
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyOf,
  keyInUseProblem,
  keyReusedProblem,
} from "./idempotency-key";
import {
  type ClaimToken,
  claimKey,
  type Existing,
  findKey,
  recordResponse,
  releaseClaim,
} from "./idempotency-records";
import { forgetAnswer, replay, snapshot } from "./stored-response";

// Idempotency-Key on a route (decision 037): put `idempotent` in the route's `middleware`, after
// the owner guard has set `userId`. Without the header the route runs as it always did.

/** What a retry must repeat exactly: method, path and body bytes. */
const fingerprintOf = (method: string, path: string, body: string) =>
  createHash("sha256")
    .update(JSON.stringify([method, path, body]))
    .digest("base64url");

/** A 5xx answer: rolled back and not kept, so that a retry runs the request again. */
class NotKept extends Error {}

/** A retry took the claim over after its lease while this request still ran: it does the work. */
class ClaimLost extends Error {}

/** Claims the key, or finds what holds it; two rounds cover a row that expired in between. */
async function claimOrFind(
  db: Database,
  userId: string,
  key: string,
  fingerprint: string,
): Promise<{ kind: "claimed"; claim: ClaimToken } | Existing> {
  for (let round = 0; round < 2; round++) {
    const claim = await claimKey(db, userId, key, fingerprint);
    if (claim !== undefined) return { kind: "claimed", claim };
    const existing = await findKey(db, userId, key);
    if (existing) return existing;
  }
  return { kind: "running", fingerprint };
}

export const idempotent = createMiddleware<AppEnv>(async (c, next) => {
  const key = idempotencyKeyOf(c.req.header(IDEMPOTENCY_KEY_HEADER));
  if (key === undefined) return next();
  const userId = c.get("userId");
  if (!userId) throw new Error("idempotent must run after the owner guard (it keys per user)");
  const db = c.get("db");
  const fingerprint = fingerprintOf(c.req.method, c.req.path, await c.req.text());

  const found = await claimOrFind(db, userId, key, fingerprint);
  if (found.kind !== "claimed") {
    if (found.fingerprint !== fingerprint) throw keyReusedProblem();
    if (found.kind === "running") throw keyInUseProblem();
    return replay(c, found.response);
  }

  // The handler writes through `tx`, and its answer is stored by the same transaction.
  try {
    await inTransaction(db, async (tx) => {
      c.set("db", tx);
      await next();
      if (c.res.status >= 500) throw new NotKept();
      if (!(await recordResponse(tx, userId, key, found.claim, await snapshot(c.res)))) {
        throw new ClaimLost();
      }
    });
  } catch (error) {
    await releaseClaim(db, userId, key, found.claim).catch((releaseError: unknown) =>
      // The lease frees the key later anyway.
      requestLogger(c).warn({ err: loggableError(releaseError) }, "idempotency claim not released"),
    );
    if (error instanceof NotKept) return;
    forgetAnswer(c);
    if (error instanceof ClaimLost) throw keyInUseProblem();
    throw error;
  } finally {
    c.set("db", db);
  }
});
