import { and, eq, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { tasks } from "../db/tasks-schema";
import {
  filterShapeOf,
  filtersOf,
  hasFiltersBeyondStatus,
  type ListValues,
  live,
  searchCandidatesOf,
  searchUsesIndex,
  value,
} from "./list-sql";
import { statementOf } from "./shaped-statements";
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

/** The user's trigger-kept counters (decision 015). */
export interface TaskCounters {
  tasks: number;
  completed: number;
}

/** What a filtered list knows before it counts: the counters and what its window held. */
export interface FirstLook extends TaskCounters {
  /** Matches among the rows the window read (list-tasks.ts), up to `countCap + 1`. */
  windowMatches: number;
  /** Whether the window began at the first task (no cursor): then, with at most `window` tasks, it held them all. */
  fromStart: boolean;
}

/** A count of matches made to `cap + 1` at most: exact up to the cap, `cap+` beyond. */
export const cappedTotal = (count: number, cap: number): TaskTotal =>
  count > cap ? { count: cap, atLeast: true } : { count, atLeast: false };

/**
 * At most `cap + 1` matches among all the user's tasks, through the plan Postgres picks for
 * finding them all: an index for a selective filter. The MATERIALIZED CTE is planned without the
 * LIMIT, which would tempt the planner into reading rows in any order until enough match: for a
 * term few of this user's tasks contain, that is all of them. Built once per shape (decision 043).
 */
export async function countThroughIndex(
  db: Database,
  query: ListQuery,
  values: ListValues,
  cap: number,
): Promise<TaskTotal> {
  const build = () => {
    const where = and(
      eq(tasks.userId, value("userId")),
      live,
      searchCandidatesOf(query),
      filtersOf(query, tasks).all,
    );
    return db.select({ n: sql<number>`count(*)::int`.as("n") }).from(sql`(
      with matches as materialized (select 1 from ${tasks} where ${where})
      select 1 from matches limit ${value("countLimit")}
    ) as capped`);
  };
  const statement = statementOf(db, `count ${filterShapeOf(query)}`, build);
  const [row] = (await statement.all(values)) as { n: number }[];
  return cappedTotal(row?.n ?? 0, cap);
}

export const exactly = (count: number): TaskTotal => ({ count, atLeast: false });

/**
 * What the first look tells of X-Total-Count. Status alone: the counters, exact. Other filters:
 * more matches in the window than the cap make it `cap+`; a window that held every task gives the
 * exact count; a search no index can narrow answers a lower bound rather than read every task.
 * Otherwise (undefined) the matches are few, or the window began after a cursor, and an index
 * must count them, up to the cap (for a user with at most `window` tasks, any search is cheap).
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
  if (look.windowMatches > cap) return { count: cap, atLeast: true };
  if (look.tasks <= budget.window) return look.fromStart ? exactly(look.windowMatches) : undefined;
  if (!searchUsesIndex(query.q)) return { count: look.windowMatches, atLeast: true };
  return undefined;
}
