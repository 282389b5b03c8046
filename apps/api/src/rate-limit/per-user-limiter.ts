import { rateLimiter } from "hono-rate-limiter";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env";
import { loggableError } from "../http/loggable-error";
import { problems } from "../http/problem";
import type { CounterStore } from "./counter-store";
import { SyncedMemoryStore } from "./synced-memory-store";

/**
 * A per-minute budget per verified user, for routes behind the owner guard (the key is the token's
 * user, not an IP behind a shared proxy). Counted in memory and shared with the other replicas in
 * batches (decision 029): no database round trip on the hot path. Each `prefix` is a budget of its
 * own. Over it: 429 problem+json with Retry-After.
 */
export function perUserLimiter(options: {
  limitPerMinute: number;
  /** Where the counts are shared with the other replicas. */
  counters: CounterStore;
  prefix: string;
  /** What the budget covers, for the log line when counts cannot be shared. */
  name: string;
  logger: Logger;
}) {
  return rateLimiter<AppEnv>({
    windowMs: 60_000,
    limit: options.limitPerMinute,
    standardHeaders: "draft-7",
    keyGenerator: (c) => c.get("userId"),
    store: new SyncedMemoryStore<AppEnv>({
      counters: options.counters,
      prefix: options.prefix,
      onSyncError: (error) =>
        options.logger.warn(
          { err: loggableError(error) },
          `${options.name} rate-limit counts not shared with other replicas: the database is unavailable`,
        ),
    }),
    handler: (c) => {
      const resetTime = c.get("rateLimit").resetTime;
      const seconds = resetTime ? Math.ceil((resetTime.getTime() - Date.now()) / 1000) : 60;
      throw problems.tooManyRequests(Math.max(1, seconds));
    },
  });
}
