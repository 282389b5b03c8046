import { sql } from "drizzle-orm";
import type { DatabaseHandle } from "./client";

/** Resolves to "timeout" instead of hanging when the database does not answer. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True when the database answers a trivial query within `timeoutMs`. */
export async function databaseAnswers(handle: DatabaseHandle, timeoutMs = 2_000): Promise<boolean> {
  const db = handle.db;
  const answer = await withTimeout(
    db.execute(sql`select 1`).then(() => true),
    timeoutMs,
  ).catch(() => false);
  return answer === true;
}
