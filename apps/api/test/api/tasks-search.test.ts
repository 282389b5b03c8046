import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fieldErrors, type TaskJson } from "../support/problems";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// Search and the other filters on both engines (decision 025): what `q` matches, and how pages
// and X-Total-Count behave for a user with more tasks than a filtered page reads in order.

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

const list = (who: TestUser, query: string) =>
  server.call("GET", `/api/${who.id}/tasks?${query}`, { token: who.jwt });

const nextOf = (link: string | null) => (link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : null);

/** Every page of a list, by following `Link: rel="next"`; with each page's size and total. */
async function everyPage(who: TestUser, query: string) {
  const tasks: TaskJson[] = [];
  const pages: { size: number; total: string | null }[] = [];
  let path: string | null | undefined = `/api/${who.id}/tasks?${query}`;
  while (path) {
    const response = await server.call("GET", path, { token: who.jwt });
    expect(response.status).toBe(200);
    tasks.push(...response.body);
    pages.push({ size: response.body.length, total: response.headers.get("x-total-count") });
    path = nextOf(response.headers.get("link"));
    expect(pages.length).toBeLessThan(100);
  }
  return { tasks, pages };
}

describe("q: a case-insensitive substring of the title or the description", () => {
  let owner: TestUser;
  beforeAll(async () => {
    owner = await server.signUp();
    const titles = [
      { title: "Buy MILK" },
      { title: "Call mom", description: "about the milk run" },
      { title: "100% done_ish" },
      { title: "Copy C:\\temp\\new" },
      { title: "Éclair au café" },
      { title: "日本語の会議" },
      { title: "Task 42 xyzzy" },
      { title: "a-b c" },
    ];
    for (const fields of titles) await server.createTask(owner, fields);
    // Another user's tasks with the same words are never found.
    const other = await server.signUp();
    for (const fields of titles) await server.createTask(other, fields);
  });

  const found = async (q: string) => {
    const response = await list(owner, `q=${encodeURIComponent(q)}`);
    expect(response.status).toBe(200);
    const titles = response.body.map((task: TaskJson) => task.title).sort();
    expect(response.headers.get("x-total-count")).toBe(String(titles.length));
    expect(response.headers.get("link")).toBeNull();
    return titles;
  };

  it("finds words of three characters or more in either field, in any case", async () => {
    expect(await found("milk")).toEqual(["Buy MILK", "Call mom"]);
    expect(await found("MILK RUN")).toEqual(["Call mom"]);
    expect(await found("xyzzy")).toEqual(["Task 42 xyzzy"]);
    expect(await found("nothing-like-this")).toEqual([]);
  });

  it("finds one and two characters inside words", async () => {
    expect(await found("zz")).toEqual(["Task 42 xyzzy"]);
    expect(await found("K")).toEqual(["Buy MILK", "Call mom", "Task 42 xyzzy"]);
    expect(await found("42")).toEqual(["Task 42 xyzzy"]);
  });

  it("takes %, _ and \\ literally", async () => {
    expect(await found("%")).toEqual(["100% done_ish"]);
    expect(await found("0%")).toEqual(["100% done_ish"]);
    expect(await found("_")).toEqual(["100% done_ish"]);
    expect(await found("e_i")).toEqual(["100% done_ish"]);
    expect(await found("\\")).toEqual(["Copy C:\\temp\\new"]);
    expect(await found("\\t")).toEqual(["Copy C:\\temp\\new"]);
    expect(await found("C:\\temp\\")).toEqual(["Copy C:\\temp\\new"]);
    expect(await found("%_")).toEqual([]);
  });

  it("matches accented and non-Latin text, in any case", async () => {
    expect(await found("ÉCLAIR")).toEqual(["Éclair au café"]);
    expect(await found("É")).toEqual(["Éclair au café"]);
    expect(await found("café")).toEqual(["Éclair au café"]);
    expect(await found("日本語")).toEqual(["日本語の会議"]);
    expect(await found("会議")).toEqual(["日本語の会議"]);
    expect(await found("a-b")).toEqual(["a-b c"]);
  });

  it("refuses an empty or an over-long q with a 422 that names it", async () => {
    for (const q of ["", "   ", "x".repeat(201)]) {
      const response = await list(owner, `q=${encodeURIComponent(q)}`);
      expect(fieldErrors(response)).toHaveProperty(["query.q"]);
    }
  });
});

describe("a user with more tasks than a filtered page reads in order (1,500)", () => {
  const TASKS = 1_500;
  let owner: TestUser;
  beforeAll(async () => {
    owner = await server.signUp();
    // Task n is n seconds younger than task n - 1. "groceries" is in one title in five;
    // "passport" in tasks 7, 507 and 1007; "zq" (no trigram) in tasks 3, 703 and 1403.
    await server.database.db.execute(sql`
      insert into tasks (user_id, title, completed, priority, tags, created_at, updated_at)
      select ${owner.id},
             'Task ' || n || case when n % 5 = 0 then ' pick up groceries' else ' call the bank' end
               || case when n % 500 = 7 then ' renew passport' else '' end
               || case when n % 700 = 3 then ' zq' else '' end,
             n % 3 = 0,
             (array['low', 'medium', 'high']::task_priority[])[1 + n % 3],
             array['t' || (n % 7)],
             now() - ((${TASKS}::int - n) * interval '1 second'),
             now() - ((${TASKS}::int - n) * interval '1 second')
      from generate_series(1, ${TASKS}::int) as n`);
    // Fresh planner statistics, as Postgres' autovacuum and PGlite's timer (decision 015) keep them.
    await server.database.db.execute(sql`analyze tasks`);
  });

  const titlesOf = (tasks: TaskJson[]) => tasks.map((task) => task.title);
  const numberOf = (task: TaskJson) => Number(/^Task (\d+)/.exec(task.title)?.[1]);

  it("a common term: full pages, newest first, and X-Total-Count capped at 100+", async () => {
    const first = await list(owner, "q=groceries");
    expect(first.body).toHaveLength(50);
    expect(first.headers.get("x-total-count")).toBe("100+");
    const { tasks, pages } = await everyPage(owner, "q=groceries&limit=200");
    expect(tasks).toHaveLength(TASKS / 5);
    expect(tasks.map(numberOf)).toEqual(Array.from({ length: TASKS / 5 }, (_, i) => TASKS - 5 * i));
    expect(pages.map((page) => page.size)).toEqual([200, 100]);
  });

  it("a rare term whose matches are older than the newest thousand: found through the index, counted exactly", async () => {
    const response = await list(owner, "q=passport");
    expect(titlesOf(response.body)).toEqual([
      "Task 1007 call the bank renew passport",
      "Task 507 call the bank renew passport",
      "Task 7 call the bank renew passport",
    ]);
    expect(response.headers.get("x-total-count")).toBe("3");
    expect(response.headers.get("link")).toBeNull();
    const next = await everyPage(owner, "q=passport&limit=1");
    expect(next.tasks.map(numberOf)).toEqual([1007, 507, 7]);
    expect(next.pages.every((page) => page.total === "3")).toBe(true);
  });

  it("a rare term that starts or ends inside a word, or spans two, is found through the index too", async () => {
    // The search index holds whole words' trigrams (decision 040): these terms must not require
    // the ones a word has only at its edges.
    for (const q of ["SSPOR", "enew passp", "NEW PASSPORT"]) {
      const response = await list(owner, `q=${encodeURIComponent(q)}`);
      expect(response.body.map(numberOf), q).toEqual([1007, 507, 7]);
      expect(response.headers.get("x-total-count"), q).toBe("3");
    }
  });

  it("a term no index can narrow: pages may be short, the count is a lower bound, and following the links finds every match", async () => {
    const first = await list(owner, "q=zq");
    expect(first.body.map(numberOf)).toEqual([1403, 703]);
    expect(first.headers.get("x-total-count")).toBe("2+");
    expect(first.headers.get("link")).toMatch(/rel="next"$/);
    const { tasks, pages } = await everyPage(owner, "q=zq");
    expect(tasks.map(numberOf)).toEqual([1403, 703, 3]);
    expect(pages.map((page) => page.size)).toEqual([2, 1]);
  });

  it("filters beyond status count exactly up to the cap, through an index when the newest tasks hold few", async () => {
    // n % 7 = 3 and n % 3 = 0: n % 21 = 3, 72 tasks up to 1,500 (48 of them among the newest 1,000).
    const response = await list(owner, "tag=t3&status=completed&limit=200");
    expect(response.body).toHaveLength(72);
    expect(response.headers.get("x-total-count")).toBe("72");
    expect(response.body.every((task: TaskJson) => task.tags[0] === "t3" && task.completed)).toBe(
      true,
    );
    const many = await list(owner, "priority=high");
    expect(many.headers.get("x-total-count")).toBe("100+");
  });

  it("every X-Total-Count sent fits the form /openapi.json documents", async () => {
    const doc = (await server.request("/openapi.json")).body;
    const header = doc.paths["/api/{user_id}/tasks"].get.responses["200"].headers["X-Total-Count"];
    const form = new RegExp(header.schema.pattern);
    for (const query of ["q=groceries", "q=passport", "q=zq", "status=completed", ""]) {
      const total = (await list(owner, query)).headers.get("x-total-count") ?? "";
      expect(total, query).toMatch(form);
    }
    expect(header.description).toContain("100+");
  });

  it("status alone is still counted exactly, from the counters", async () => {
    const completed = await list(owner, "status=completed&limit=1");
    expect(completed.headers.get("x-total-count")).toBe(String(TASKS / 3));
    const all = await list(owner, "limit=1");
    expect(all.headers.get("x-total-count")).toBe(String(TASKS));
  });

  it("a filtered list walked to its end with a cursor returns each match once, in order", async () => {
    const { tasks } = await everyPage(owner, "status=pending&priority=low&sort=priority&limit=150");
    // priority low: n % 3 = 0, which are all completed: nothing pending.
    expect(tasks).toEqual([]);
    const mediums = await everyPage(owner, "priority=medium&status=pending&limit=150");
    // medium: n % 3 = 1, all pending.
    expect(mediums.tasks.map(numberOf)).toEqual(
      Array.from({ length: TASKS / 3 }, (_, i) => TASKS - 2 - 3 * i),
    );
  });
});
