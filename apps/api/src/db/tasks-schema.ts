import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  varchar,
} from "drizzle-orm/pg-core";
import { instant } from "./instant";

export const taskPriorities = ["low", "medium", "high"] as const;

/** The largest value an `integer` column (task ids, versions) holds: beyond it, nothing matches. */
export const MAX_INTEGER = 2_147_483_647;

/** Limits of a task's fields: the columns below and the request schemas both use them. */
export const TASK_LIMITS = { title: 200, description: 1000, tags: 10, tag: 32 } as const;

/** An enum, not text, so that ORDER BY priority means low < medium < high. */
export const taskPriority = pgEnum("task_priority", taskPriorities);

/** GIN storage parameters: see the search indexes below. */
const smallPendingList = { gin_pending_list_limit: 64 };

export const tasks = pgTable(
  "tasks",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    // No foreign key to "user": tokens from a Better Auth elsewhere (AUTH_JWKS_URL) name users
    // this database has never seen; `sub` is the owner. See docs/decisions/006-task-ownership.md.
    userId: text("user_id").notNull(),
    title: varchar("title", { length: TASK_LIMITS.title }).notNull(),
    description: varchar("description", { length: TASK_LIMITS.description }),
    completed: boolean("completed").notNull().default(false),
    completedAt: instant("completed_at"),
    priority: taskPriority("priority").notNull().default("medium"),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    dueDate: instant("due_date"),
    /** Bumped on every write; the ETag, so that two writes in one millisecond still differ. */
    version: integer("version").notNull().default(1),
    createdAt: instant("created_at").notNull().defaultNow(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
    /** Set while the task is in the trash (decision 039): lists, counts and task routes skip it. */
    deletedAt: instant("deleted_at"),
  },
  (table) => [
    // One index per sort order, owner first, id last: each list page is an index range scan.
    index("tasks_user_created_idx").on(table.userId, table.createdAt, table.id),
    index("tasks_user_updated_idx").on(table.userId, table.updatedAt, table.id),
    index("tasks_user_due_idx").on(table.userId, table.dueDate, table.id),
    // due_date DESC keeps tasks without a date last, which a backward scan of the index above cannot.
    index("tasks_user_due_desc_idx").on(
      table.userId,
      table.dueDate.desc().nullsLast(),
      table.id.desc(),
    ),
    index("tasks_user_priority_idx").on(table.userId, table.priority, table.id),
    index("tasks_user_title_idx").on(table.userId, sql`lower(${table.title})`, table.id),
    index("tasks_user_completed_idx").on(table.userId, table.completed),
    // Search and the tag filter (decisions 025 and 040). Search: one GIN entry per owner and
    // trigram (pg_trgm's) of the title and description together, as a bigint (functions of
    // migration 0007), so that a search reads only this user's tasks holding its rarest trigram;
    // the substring test (lower() like lower(), list-sql.ts) then decides. Live tasks only: a search never reads the trash. Tags: a GIN index with
    // the owner first (btree_gin).
    // Writes add their entries to a pending list that is merged in batches (cheaper than one by
    // one); every search also reads that list, so it is kept to the smallest size Postgres allows
    // (64 kB). A write that fills it merges it: PGlite has no autovacuum to do that.
    index("tasks_user_search_keys_idx")
      .using("gin", sql`task_search_keys(${table.userId}, ${table.title}, ${table.description})`)
      .with(smallPendingList)
      .where(sql`${table.deletedAt} is null`),
    index("tasks_user_tags_idx").using("gin", table.userId, table.tags).with(smallPendingList),
    // The trash, newest first, and the purge of what has been there too long: trashed rows only.
    index("tasks_user_trash_idx")
      .on(table.userId, table.deletedAt.desc(), table.id.desc())
      .where(sql`${table.deletedAt} is not null`),
    check("tasks_title_not_blank", sql`length(btrim(${table.title})) > 0`),
    check("tasks_tags_max", sql`coalesce(array_length(${table.tags}, 1), 0) <= 10`),
  ],
);

/**
 * How many tasks each user has, and how many of them are completed: kept by triggers on `tasks`
 * (migration 0002), so that X-Total-Count without search filters costs one row read, not a count
 * over every task of the user.
 */
export const taskCounts = pgTable("task_counts", {
  userId: text("user_id").primaryKey(),
  total: integer("total").notNull().default(0),
  completed: integer("completed").notNull().default(0),
});

export type TaskRow = typeof tasks.$inferSelect;
