import { eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TaskRow, tasks } from "../../src/db/tasks-schema";
import type { ListBudget } from "../../src/tasks/count-tasks";
import type { Cursor } from "../../src/tasks/cursor";
import { searchUsesIndex } from "../../src/tasks/list-sql";
import { listTasks } from "../../src/tasks/list-tasks";
import { ListQuerySchema } from "../../src/tasks/tasks.schemas";
import { createTestServer, type TestServer } from "../support/test-server";

// listTasks with a tiny budget (decision 025), so that a few dozen tasks take every path: pages
// found in the window, through an index, or cut short after the window; counts from the window,
// through an index, or a lower bound. Whatever the path, walking the pages must give exactly the
// tasks a plain filter and sort give, and X-Total-Count must be exact or an honest lower bound.

const BUDGET: ListBudget = { window: 6, countCap: 4 };
const OWNER = "budget-owner";

let server: TestServer;
let mine: TaskRow[];

const WORDS = ["milk", "Milk run", "mi", "k", "%", "_", "\\", "é", "Éclair", "日本語", "zz", "a b"];

beforeAll(async () => {
  server = await createTestServer();
  const words = sql`(array[${sql.join(
    WORDS.map((word) => sql`${word}`),
    sql`, `,
  )}]::text[])`;
  // 40 tasks a second apart, with words in turn in titles and descriptions, every third completed,
  // priorities and tags in turn, due dates in ten-day steps (some equal, a quarter none); the
  // other user has the same tasks, and none of them may ever appear.
  for (const owner of [OWNER, "someone-else"]) {
    await server.database.db.execute(sql`
      insert into tasks (user_id, title, description, completed, priority, tags, due_date,
                         created_at, updated_at)
      select ${owner},
             'T' || n || ' ' || ${words}[1 + n % ${WORDS.length}],
             case when n % 4 = 1 then 'note ' || ${words}[1 + (n * 5) % ${WORDS.length}] end,
             n % 3 = 0,
             (array['low', 'medium', 'high']::task_priority[])[1 + n % 3],
             case when n % 5 = 0 then '{}'::text[] else array['t' || (n % 4)] end,
             case when n % 4 <> 0 then timestamptz '2030-01-01' + (n % 6) * interval '10 days' end,
             timestamptz '2026-01-01' + n * interval '1 second',
             timestamptz '2026-06-01' - n * interval '1 second'
      from generate_series(1, 40) as n`);
  }
  await server.database.db.execute(sql`analyze tasks`);
  mine = await server.database.db.select().from(tasks).where(eq(tasks.userId, OWNER));
});
afterAll(() => server.close());

type Query = ReturnType<typeof ListQuerySchema.parse>;

/** What the list must hold: the filters and the sort applied in plain code. */
function expected(query: Query): TaskRow[] {
  const q = query.q?.toLowerCase();
  const before = query.due_before ? Date.parse(query.due_before) : undefined;
  const after = query.due_after ? Date.parse(query.due_after) : undefined;
  const rank = { low: 0, medium: 1, high: 2 };
  const keyOf = (task: TaskRow): number | string | null => {
    if (query.sort === "title") return task.title.toLowerCase();
    if (query.sort === "created") return task.createdAt.getTime();
    if (query.sort === "updated") return task.updatedAt.getTime();
    if (query.sort === "priority") return rank[task.priority];
    return task.dueDate?.getTime() ?? null;
  };
  const direction = query.order === "asc" ? 1 : -1;
  return mine
    .filter(
      (task) =>
        (query.status === "all" || task.completed === (query.status === "completed")) &&
        (!q ||
          task.title.toLowerCase().includes(q) ||
          Boolean(task.description?.toLowerCase().includes(q))) &&
        (!query.priority || task.priority === query.priority) &&
        (!query.tag || task.tags.includes(query.tag)) &&
        (before === undefined || (task.dueDate !== null && task.dueDate.getTime() < before)) &&
        (after === undefined || (task.dueDate !== null && task.dueDate.getTime() > after)),
    )
    .sort((a, b) => {
      const [ka, kb] = [keyOf(a), keyOf(b)];
      if (ka === null || kb === null) {
        if (ka !== kb) return ka === null ? 1 : -1; // no due date: last, in either order
      } else if (ka !== kb) return (ka < kb ? -1 : 1) * direction;
      return (a.id - b.id) * direction;
    });
}

const queries = fc
  .record({
    status: fc.constantFrom("all", "pending", "completed"),
    q: fc.option(fc.constantFrom(...WORDS, "ilk", "nothing", "T1", "note"), { nil: undefined }),
    priority: fc.option(fc.constantFrom("low", "medium", "high"), { nil: undefined }),
    tag: fc.option(fc.constantFrom("t1", "t2", "t9"), { nil: undefined }),
    due_before: fc.option(fc.constantFrom("2030-01-21T00:00:00Z", "2030-02-15T00:00:00Z"), {
      nil: undefined,
    }),
    due_after: fc.option(fc.constantFrom("2030-01-01T00:00:00Z", "2030-01-25T00:00:00Z"), {
      nil: undefined,
    }),
    sort: fc.constantFrom("created", "updated", "title", "priority", "due_date"),
    order: fc.constantFrom("asc", "desc"),
    limit: fc.integer({ min: 1, max: 8 }),
  })
  .map((raw) =>
    ListQuerySchema.parse(
      Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
    ),
  );

describe("listTasks within a budget of 6 rows read in order and 4 counted", () => {
  it("walks every match once, in order, and X-Total-Count is exact or a lower bound", async () => {
    await fc.assert(
      fc.asyncProperty(queries, async (query) => {
        const want = expected(query);
        const seen: TaskRow[] = [];
        let cursor: Cursor | undefined;
        for (let pages = 1; ; pages += 1) {
          const page = await listTasks(server.database.db, OWNER, query, cursor, BUDGET);
          seen.push(...page.tasks);
          const { count, atLeast } = page.total;
          if (atLeast) {
            expect(count).toBeLessThanOrEqual(Math.min(want.length, BUDGET.countCap));
          } else {
            expect(count).toBe(want.length);
          }
          // Only a search no index can narrow may stop a page short of its limit before the end.
          if (page.next && page.tasks.length < query.limit) {
            expect(searchUsesIndex(query.q)).toBe(false);
          }
          if (!page.next) break;
          cursor = page.next;
          expect(pages).toBeLessThan(100);
        }
        expect(seen.map((task) => task.id)).toEqual(want.map((task) => task.id));
      }),
      { numRuns: 150 },
    );
  }, 120_000);

  it("counts exactly up to the cap, says cap+ beyond it, and a lower bound where no index helps", async () => {
    const count = async (raw: Record<string, string>) =>
      (await listTasks(server.database.db, OWNER, ListQuerySchema.parse(raw), undefined, BUDGET))
        .total;
    expect(await count({ q: "nothing" })).toEqual({ count: 0, atLeast: false });
    expect(await count({ q: "Éclair" })).toEqual({
      count: expected(ListQuerySchema.parse({ q: "Éclair" })).length,
      atLeast: false,
    });
    // "note": 10 descriptions, one among the 6 newest tasks; an index counts to the cap.
    expect(await count({ q: "note" })).toEqual({ count: 4, atLeast: true });
    // "T1" (no trigram): 11 titles, none among the 6 newest, and no index to ask: "0+".
    expect(await count({ q: "T1" })).toEqual({ count: 0, atLeast: true });
    expect(await count({ status: "completed" })).toEqual({ count: 13, atLeast: false });
  });
});
