import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import type { ChangeSignal } from "./change-signal";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * After a write of the owner's tasks answered with success (its transaction has committed by
 * then), tells the live streams (decision 047). A replayed Idempotency-Key answer, which wrote
 * nothing, only wakes them for nothing.
 */
export const announceWrites = (changes: ChangeSignal) =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    if (!READS.has(c.req.method) && c.res.status < 400) changes.changed(c.get("userId"));
  });
