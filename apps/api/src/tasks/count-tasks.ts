import { and, eq, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { type Database, perDatabase, statementName } from "../db/client";
import { taskCounts, tasks } from "../db/tasks-schema";
import {
  filtersOf,
  hasFiltersBeyondStatus,
  live,
  orderOf,
  searchCandidatesOf,
  searchUsesIndex,
  sortKeyOf,
} from "./list-sql";
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

/** The user's newest tasks, read in a subquery of that name. */
const newest = alias(tasks, "newest");

/** The user's task counters (decision 015), and for filters beyond status a first count. */
export interface FirstLook {
  tasks: number;
  completed: number;
  /** Matches among the user's `window` newest tasks, up to `countCap + 1`; 0 for status alone. */
  newestMatches: number;
}

/** The user's trigger-kept counters, as a named prepared statement (decision 031). */
const countsStatement = perDatabase((db) =>
  db
    .select()
    .from(taskCounts)
    .where(eq(taskCounts.userId, sql.placeholder("userId")))
    .prepare(statementName(db, "task_counts_get")),
);

/**
 * One statement: the counters' row, and the matches among the newest tasks. The LIMITs bound the
 * rows read whatever the filters match: rows come from the created_at index in order, and the
 * count stops at `countCap + 1`. A user without tasks has no counters row: nothing matches.
 */
export async function firstLook(
  db: Database,
  userId: string,
  query: ListQuery,
  budget: ListBudget,
): Promise<FirstLook> {
  if (!hasFiltersBeyondStatus(query)) {
    // The same statement as an unfiltered list's (bench/bare-sql.ts copies it).
    const [row] = await countsStatement(db).execute({ userId });
    return { tasks: row?.total ?? 0, completed: row?.completed ?? 0, newestMatches: 0 };
  }
  const order = orderOf({ sort: "created", order: "desc" }, sortKeyOf("created"), tasks.id);
  const newestMatches = sql<number>`(select count(*)::int from (
      select 1 from (
        select * from ${tasks} where ${eq(tasks.userId, userId)} and ${live}
        order by ${sql.join(order, sql`, `)} limit ${budget.window}
      ) as newest where ${filtersOf(query, newest).all} limit ${budget.countCap + 1}
    ) as newest_matches)`;
  const [row] = await db
    .select({ tasks: taskCounts.total, completed: taskCounts.completed, newestMatches })
    .from(taskCounts)
    .where(eq(taskCounts.userId, userId));
  return row ?? { tasks: 0, completed: 0, newestMatches: 0 };
}

/** A count of matches made to `cap + 1` at most: exact up to the cap, `cap+` beyond. */
export const cappedTotal = (count: number, cap: number): TaskTotal =>
  count > cap ? { count: cap, atLeast: true } : { count, atLeast: false };

/**
 * At most `cap + 1` matches among all the user's tasks, through the plan Postgres picks for
 * finding them all: an index for a selective filter. The MATERIALIZED CTE is planned without the
 * LIMIT, which would tempt the planner into reading rows in any order until enough match: for a
 * term few of this user's tasks contain, that is all of them.
 */
export async function countThroughIndex(
  db: Database,
  userId: string,
  query: ListQuery,
  cap: number,
): Promise<TaskTotal> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(sql`(
      with matches as materialized (
        select 1 from ${tasks} where ${and(eq(tasks.userId, userId), live, searchCandidatesOf(userId, query), filtersOf(query, tasks).all)}
      )
      select 1 from matches limit ${cap + 1}
    ) as capped`);
  return cappedTotal(row?.n ?? 0, cap);
}

const exactly = (count: number): TaskTotal => ({ count, atLeast: false });

/**
 * What the first look tells of X-Total-Count. Status alone: the counters, exact. Other filters:
 * many matches among the newest tasks make it `cap+`; a user whose tasks all fit the window gets
 * the exact count; a search no index can narrow answers a lower bound rather than read every
 * task. Otherwise (undefined) the matches are few, and an index must count them, up to the cap.
 */
export function totalFromLook(
  query: ListQuery,
  look: FirstLook,
  budget: ListBudget,
): TaskTotal | undefined {
  if (!hasFiltersBeyondStatus(query)) {
    if (query.status === "completed") return exactly(look.completed);
    return exactly(query.status === "pending" ? look.tasks - look.completed : look.tasks);
  }
  const cap = budget.countCap;
  if (look.newestMatches > cap) return { count: cap, atLeast: true };
  if (look.tasks <= budget.window) return exactly(look.newestMatches);
  if (!searchUsesIndex(query.q)) return { count: look.newestMatches, atLeast: true };
  return undefined;
}

/** X-Total-Count from the first look, or through an index when that is what it needs. */
export async function countTasks(
  db: Database,
  userId: string,
  query: ListQuery,
  look: FirstLook,
  budget: ListBudget,
): Promise<TaskTotal> {
  return (
    totalFromLook(query, look, budget) ??
    (await countThroughIndex(db, userId, query, budget.countCap))
  );
}
