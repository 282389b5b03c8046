import { index, integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Rate-limit counters shared by every replica on this database (see
 * docs/decisions/018-sign-in-and-sign-up-limits.md): one row per key and window, counted by one
 * atomic upsert in src/rate-limit/counter-store.ts. A row whose `reset_at` has passed counts as
 * zero and is deleted by the store's periodic clean-up.
 */
export const rateLimitCounters = pgTable(
  "rate_limit_counters",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull(),
    resetAt: timestamp("reset_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [index("rate_limit_counters_reset_at_idx").on(table.resetAt)],
);
