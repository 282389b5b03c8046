import { bigint, index, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { instant } from "./instant";

// The change log of the sync engine (docs/decisions/035-change-log.md). Only the triggers of
// migration 0006 write `user_sync` and `task_events`: no write path of the API can forget them.

/** Each user's last event number, bumped by every write to their tasks, gapless. */
export const userSync = pgTable("user_sync", {
  userId: text("user_id").primaryKey(),
  seq: bigint("seq", { mode: "number" }).notNull().default(0),
  /** Events up to this seq were pruned (SYNC_RETENTION_DAYS): a client behind it reloads. */
  prunedThrough: bigint("pruned_through", { mode: "number" }).notNull().default(0),
});

export const taskEventOps = ["create", "update", "delete", "restore", "purge"] as const;
export type TaskEventOp = (typeof taskEventOps)[number];

/** One event per changed task per write, numbered per user. */
export const taskEvents = pgTable(
  "task_events",
  {
    userId: text("user_id").notNull(),
    seq: bigint("seq", { mode: "number" }).notNull(),
    taskId: integer("task_id").notNull(),
    op: text("op", { enum: taskEventOps }).notNull(),
    version: integer("version").notNull(),
    /** The row after the change (to_jsonb, column names); null once purged. */
    task: jsonb("task").$type<Record<string, unknown> | null>(),
    /** Columns whose value changed (never version or updated_at), and their values before. */
    changed: text("changed").array().notNull(),
    before: jsonb("before").$type<Record<string, unknown>>().notNull(),
    at: instant("at").notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.seq] }),
    index("task_events_user_task_idx").on(table.userId, table.taskId, table.seq),
    index("task_events_at_idx").on(table.at),
  ],
);

/** Idempotency-Key records (docs/decisions/037-idempotency-keys.md), kept 24 hours per user. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id").notNull(),
    key: text("key").notNull(),
    /** Method, route and body of the first request: a retry must match it. */
    fingerprint: text("fingerprint").notNull(),
    /** Null while the first request runs; its status once it has answered. */
    status: integer("status"),
    headers: jsonb("headers").$type<Record<string, string>>(),
    body: text("body"),
    createdAt: instant("created_at").notNull().defaultNow(),
    /** A running claim older than this was lost (its request never committed): it may be retaken. */
    lockedUntil: instant("locked_until").notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.key] }),
    index("idempotency_keys_created_idx").on(table.createdAt),
  ],
);
