import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "../db/client";
import { taskCounts, tasks } from "../db/tasks-schema";
import { filtersOf, hasFiltersBeyondStatus, orderOf, searchUsesIndex, sortKeyOf } from "./list-sql";
import type { ListQuery } from "./tasks.schemas";

/**
 * X-Total-Count: the number of tasks matching the filters, or a lower bound (`atLeast`) where
 * counting them all would cost more than a page (decision 025). Sent as `57` or `100+`.
 */
export interface TaskTotal {
  count: number;
  atLeast: boolean;
}

export const formatTotal = (total: TaskTotal) => `${total.count}${total.atLeast ? "+" : ""}`;

/** How much work a filtered list request may do; decision 025 measures these. */
export interface ListBudget {
  /** The most matches counted: beyond it X-Total-Count says `100+`. */
  countCap: number;
  /** The most rows read in order before an index is asked instead (here and in list-tasks.ts). */
  window: number;
}

export const LIST_BUDGET: ListBudget = { countCap: 100, window: 1_000 };

const exactly = (count: number): TaskTotal => ({ count, atLeast: false });

/** Status alone: the trigger-kept counters, one row, exact (decision 015). */
async function countByStatus(db: Database, userId: string, status: ListQuery["status"]) {
  // The same statement as an unfiltered list's (bench/bare-sql.ts copies it).
  const [row] = await db.select().from(taskCounts).where(eq(taskCounts.userId, userId));
  if (!row) return exactly(0);
  if (status === "completed") return exactly(row.completed);
  return exactly(status === "pending" ? row.total - row.completed : row.total);
}

/** The user's newest tasks, read in a subquery of that name. */
const newest = alias(tasks, "newest");

/**
 * Filters beyond status, in one statement that reads a bounded number of rows whatever they
 * match:
 * - `newest`: matches among the user's `window` newest tasks (created_at index, in order), up to
 *   `cap + 1`. Many there: the answer is `cap+`. A user with no more tasks: it is exact.
 * - `indexed`, only when neither holds: the matches among all the user's tasks, up to `cap + 1`,
 *   through the plan Postgres picks for finding *all* of them (an index for a selective filter;
 *   here they are few). The MATERIALIZED CTE is planned without the LIMIT, which would tempt the
 *   planner into reading rows in any order until enough match: for a term few of this user's
 *   tasks contain, that is all of them. The CASE runs it only when needed.
 * - a search no index can narrow has no `indexed`: its count is a lower bound.
 */
async function countBeyondStatus(
  db: Database,
  userId: string,
  query: ListQuery,
  { countCap: cap, window }: ListBudget,
): Promise<TaskTotal> {
  const byCreated = orderOf({ sort: "created", order: "desc" }, sortKeyOf("created"), tasks.id);
  const newestMatches = sql`(select count(*)::int from (
      select 1 from (
        select * from ${tasks} where ${eq(tasks.userId, userId)}
        order by ${sql.join(byCreated, sql`, `)} limit ${window}
      ) as newest where ${filtersOf(query, newest).all} limit ${cap + 1}
    ) as newest_matches)`;
  const indexed = searchUsesIndex(query.q)
    ? sql`case when newest <= ${cap} and total > ${window} then (
        select count(*)::int from (
          with matches as materialized (
            select 1 from ${tasks} where ${and(eq(tasks.userId, userId), filtersOf(query, tasks).all)}
          )
          select 1 from matches limit ${cap + 1}
        ) as capped
      ) end`
    : sql`null::int`;
  const [row] = await db
    .select({
      total: sql<number>`total`,
      newest: sql<number>`newest`,
      indexed: sql<number | null>`${indexed}`,
    })
    // MATERIALIZED: a subquery would be merged into this select, and `newest`, named twice,
    // computed twice.
    .from(sql`(
      with look as materialized (
        select ${taskCounts.total} as total, ${newestMatches} as newest
        from ${taskCounts} where ${eq(taskCounts.userId, userId)}
      )
      select * from look
    ) as look`);
  // A user without tasks has no counters row.
  if (!row) return exactly(0);
  if (row.newest > cap) return { count: cap, atLeast: true };
  if (row.total <= window) return exactly(row.newest);
  if (row.indexed === null) return { count: row.newest, atLeast: true };
  return row.indexed > cap ? { count: cap, atLeast: true } : exactly(row.indexed);
}

export function countTasks(
  db: Database,
  userId: string,
  query: ListQuery,
  budget: ListBudget,
): Promise<TaskTotal> {
  return hasFiltersBeyondStatus(query)
    ? countBeyondStatus(db, userId, query, budget)
    : countByStatus(db, userId, query.status);
}
