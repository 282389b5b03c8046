import { eq } from "drizzle-orm";
import type { Database } from "../db/client";
import { session } from "../db/schema";
import type { SessionLookup } from "./live-sessions";

/** One primary-key read of Better Auth's session table: who owns the session, until when. */
export function sessionLookup(db: Database): SessionLookup {
  return async (sessionId) => {
    const [row] = await db
      .select({ userId: session.userId, expiresAt: session.expiresAt })
      .from(session)
      .where(eq(session.id, sessionId))
      .limit(1);
    return row;
  };
}
