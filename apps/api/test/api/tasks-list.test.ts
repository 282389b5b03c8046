import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

interface Task {
  id: number;
  title: string;
  description: string | null;
  completed: boolean;
  priority: "low" | "medium" | "high";
  tags: string[];
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  user = await server.signUp();
});
afterAll(() => server.close());

const list = (query: string, who: TestUser = user) =>
  server.call("GET", `/api/${who.id}/tasks${query ? `?${query}` : ""}`, { token: who.jwt });

const ids = (tasks: Task[]) => tasks.map((task) => task.id);

/** Follows `Link: rel="next"` to the end; fails on a loop. */
async function collectAll(query: string, who: TestUser = user) {
  const seen: Task[] = [];
  let path: string | undefined = `/api/${who.id}/tasks?${query}`;
  let pages = 0;
  while (path) {
    const response = await server.call("GET", path, { token: who.jwt });
    expect(response.status).toBe(200);
    seen.push(...response.body);
    const link = response.headers.get("link");
    path = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : undefined;
    if (link) expect(path).toBeDefined();
    pages += 1;
    expect(pages).toBeLessThan(500);
  }
  return { tasks: seen, pages };
}

describe("filters", () => {
  let owner: TestUser;
  beforeAll(async () => {
    owner = await server.signUp();
    const make = (fields: Record<string, unknown>) => server.createTask(owner, fields);
    await make({
      title: "Buy MILK",
      tags: ["home", "shop"],
      priority: "high",
      due_date: "2026-01-10T00:00:00Z",
    });
    await make({
      title: "Call mom",
      description: "about the milk run",
      tags: ["family"],
      priority: "low",
    });
    await make({
      title: "100% done_ish",
      tags: ["home"],
      completed: true,
      due_date: "2026-03-01T00:00:00Z",
    });
    await make({ title: "Plain task", due_date: "2026-02-01T00:00:00Z" });
  });

  const titles = async (query: string) => {
    const response = await list(query, owner);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-total-count")).toBe(String(response.body.length));
    return response.body.map((task: Task) => task.title).sort();
  };

  it("status=all|pending|completed", async () => {
    expect(await titles("")).toHaveLength(4);
    expect(await titles("status=all")).toHaveLength(4);
    expect(await titles("status=completed")).toEqual(["100% done_ish"]);
    expect(await titles("status=pending")).toEqual(["Buy MILK", "Call mom", "Plain task"]);
  });

  it("q searches title and description, case-insensitively, with % and _ taken literally", async () => {
    expect(await titles("q=milk")).toEqual(["Buy MILK", "Call mom"]);
    expect(await titles("q=MoM")).toEqual(["Call mom"]);
    expect(await titles(`q=${encodeURIComponent("100%")}`)).toEqual(["100% done_ish"]);
    expect(await titles("q=%25")).toEqual(["100% done_ish"]);
    expect(await titles("q=_")).toEqual(["100% done_ish"]);
    expect(await titles("q=nothing-like-this")).toEqual([]);
  });

  it("priority and tag", async () => {
    expect(await titles("priority=high")).toEqual(["Buy MILK"]);
    expect(await titles("priority=medium")).toEqual(["100% done_ish", "Plain task"]);
    expect(await titles("tag=home")).toEqual(["100% done_ish", "Buy MILK"]);
    expect(await titles("tag=family")).toEqual(["Call mom"]);
    expect(await titles("tag=hom")).toEqual([]);
  });

  it("due_before and due_after are exclusive bounds and skip tasks without a due date", async () => {
    expect(await titles("due_before=2026-02-01T00:00:00Z")).toEqual(["Buy MILK"]);
    expect(await titles("due_after=2026-02-01T00:00:00Z")).toEqual(["100% done_ish"]);
    expect(
      await titles("due_after=2026-01-01T00:00:00Z&due_before=2026-12-31T00:00:00%2B02:00"),
    ).toEqual(["100% done_ish", "Buy MILK", "Plain task"]);
  });

  it("filters combine, and X-Total-Count counts all matches, not just the page", async () => {
    expect(await titles("tag=home&status=pending&q=milk")).toEqual(["Buy MILK"]);
    const page = await list("limit=1", owner);
    expect(page.body).toHaveLength(1);
    expect(page.headers.get("x-total-count")).toBe("4");
    expect(page.headers.get("link")).toMatch(/rel="next"$/);
  });
});

describe("sorting", () => {
  let owner: TestUser;
  let all: Task[];
  beforeAll(async () => {
    owner = await server.signUp();
    const specs = [
      { title: "banana", priority: "low", due_date: "2026-05-01T00:00:00Z" },
      { title: "Apple", priority: "high" },
      { title: "cherry", priority: "medium", due_date: "2026-04-01T00:00:00Z" },
      { title: "apple", priority: "high", due_date: "2026-04-01T00:00:00Z" },
      { title: "Date", priority: "low" },
    ];
    for (const spec of specs) await server.createTask(owner, spec);
    // A later update, so that "updated" order differs from "created" order.
    const first = (await list("sort=created&order=asc", owner)).body[0] as Task;
    await server.call("PUT", `/api/${owner.id}/tasks/${first.id}`, {
      token: owner.jwt,
      body: { description: "edited" },
    });
    all = (await list("sort=created&order=asc", owner)).body;
  });

  const byIdThen = (compare: (a: Task, b: Task) => number, desc: boolean) => (a: Task, b: Task) => {
    const primary = compare(a, b) || a.id - b.id;
    return desc ? -primary : primary;
  };
  const rank = { low: 0, medium: 1, high: 2 };
  const compareBy: Record<string, (a: Task, b: Task) => number> = {
    created: (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at),
    updated: (a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at),
    title: (a, b) =>
      a.title.toLowerCase() < b.title.toLowerCase()
        ? -1
        : a.title.toLowerCase() > b.title.toLowerCase()
          ? 1
          : 0,
    priority: (a, b) => rank[a.priority] - rank[b.priority],
  };

  for (const sort of ["created", "updated", "title", "priority"]) {
    for (const order of ["asc", "desc"] as const) {
      it(`sort=${sort}&order=${order}`, async () => {
        const expected = [...all].sort(byIdThen(compareBy[sort] ?? (() => 0), order === "desc"));
        expect(ids((await list(`sort=${sort}&order=${order}`, owner)).body)).toEqual(ids(expected));
      });
    }
  }

  it("defaults to newest first", async () => {
    expect(ids((await list("", owner)).body)).toEqual(ids(all).reverse());
  });

  it("answers every task on a page exactly as GET one does, whichever way the page was read", async () => {
    // Pages are read three ways (a prepared first page mapped by hand, a cursor page, a filtered
    // window; decision 042): each must carry the same fields and times as the task itself.
    await server.call("PATCH", `/api/${owner.id}/tasks/${all.at(-1)?.id}/complete`, {
      token: owner.jwt,
    });
    const pages = [
      (await list("limit=2", owner)).body as Task[],
      (await collectAll("limit=2", owner)).tasks,
      (await list("q=a&sort=title", owner)).body as Task[],
    ];
    for (const page of pages) {
      expect(page.length).toBeGreaterThan(0);
      for (const task of page) {
        const one = await server.call("GET", `/api/${owner.id}/tasks/${task.id}`, {
          token: owner.jwt,
        });
        expect(task).toEqual(one.body);
      }
    }
    expect(pages[0]?.some((task) => task.completed && task.due_date === null)).toBe(true);
  });

  it("sort=due_date puts tasks without a due date last, in both orders", async () => {
    const asc = (await list("sort=due_date&order=asc", owner)).body as Task[];
    expect(asc.map((task) => task.due_date)).toEqual([
      "2026-04-01T00:00:00.000Z",
      "2026-04-01T00:00:00.000Z",
      "2026-05-01T00:00:00.000Z",
      null,
      null,
    ]);
    const desc = (await list("sort=due_date&order=desc", owner)).body as Task[];
    expect(desc.map((task) => task.due_date)).toEqual([
      "2026-05-01T00:00:00.000Z",
      "2026-04-01T00:00:00.000Z",
      "2026-04-01T00:00:00.000Z",
      null,
      null,
    ]);
  });
});

describe("keyset pagination", () => {
  let owner: TestUser;
  const TOTAL = 75;
  beforeAll(async () => {
    owner = await server.signUp();
    const priorities = ["low", "medium", "high"];
    // Created in small concurrent batches, so that many tasks share a created_at millisecond.
    for (let start = 0; start < TOTAL; start += 15) {
      await Promise.all(
        Array.from({ length: Math.min(15, TOTAL - start) }, (_, offset) => {
          const n = start + offset;
          return server.createTask(owner, {
            title: `Task ${String(n % 10)} ${n % 3 === 0 ? "same" : n}`,
            priority: priorities[n % 3],
            due_date: n % 4 === 0 ? null : `2026-0${1 + (n % 5)}-01T00:00:00Z`,
          });
        }),
      );
    }
  });

  for (const sort of ["created", "updated", "title", "due_date", "priority"]) {
    for (const order of ["asc", "desc"]) {
      it(`walks every task exactly once, in order, with sort=${sort}&order=${order}`, async () => {
        const whole = await list(`sort=${sort}&order=${order}&limit=200`, owner);
        expect(whole.body).toHaveLength(TOTAL);
        expect(whole.headers.get("link")).toBeNull();
        const { tasks, pages } = await collectAll(`sort=${sort}&order=${order}&limit=7`, owner);
        expect(pages).toBe(Math.ceil(TOTAL / 7));
        expect(ids(tasks)).toEqual(ids(whole.body));
        expect(new Set(ids(tasks)).size).toBe(TOTAL);
      });
    }
  }

  it("keeps the filters in the next link", async () => {
    const first = await list("status=pending&priority=high&limit=5&sort=title&order=asc", owner);
    const link = first.headers.get("link") ?? "";
    expect(link).toMatch(/^<\/api\/[^>]+\/tasks\?[^>]*cursor=[^>]+>; rel="next"$/);
    expect(link).toContain("priority=high");
    expect(link).toContain("status=pending");
    const { tasks } = await collectAll(
      "status=pending&priority=high&limit=5&sort=title&order=asc",
      owner,
    );
    expect(tasks).toHaveLength(25);
    expect(tasks.every((task) => task.priority === "high")).toBe(true);
  });

  it("links to the same path and query with only the cursor replaced", async () => {
    const query = "status=pending&priority=high&limit=5&sort=title&order=asc";
    const linkOf = (response: { headers: Headers }) =>
      /^<([^>]+)>; rel="next"$/.exec(response.headers.get("link") ?? "")?.[1] ?? "";
    const next = linkOf(await list(query, owner));
    expect(next).toMatch(
      new RegExp(`^/api/${encodeURIComponent(owner.id)}/tasks\\?${query}&cursor=[\\w-]+$`),
    );
    const after = linkOf(await server.call("GET", next, { token: owner.jwt }));
    expect(after.match(/cursor=/g)).toHaveLength(1);
    expect(after).not.toBe(next);
    expect(after.replace(/cursor=[\w-]+/, "")).toBe(next.replace(/cursor=[\w-]+/, ""));
  });

  it("is stable under inserts: no duplicates or gaps when tasks are added between pages", async () => {
    const before = ids((await list("limit=200", owner)).body);
    const first = await list("limit=10", owner);
    for (let n = 0; n < 5; n += 1) await server.createTask(owner, { title: `late ${n}` });
    const nextPath = /^<([^>]+)>/.exec(first.headers.get("link") ?? "")?.[1] ?? "";
    const rest: Task[] = [];
    let path: string | undefined = nextPath;
    while (path) {
      const response = await server.call("GET", path, { token: owner.jwt });
      rest.push(...response.body);
      path = /^<([^>]+)>/.exec(response.headers.get("link") ?? "")?.[1];
    }
    expect([...ids(first.body), ...ids(rest)]).toEqual(before);
  });

  it("answers an empty page after the last task", async () => {
    const response = await list("limit=200&status=completed", owner);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
    expect(response.headers.get("x-total-count")).toBe("0");
    expect(response.headers.get("link")).toBeNull();
  });
});

describe("X-Total-Count", () => {
  it("stays exact through every kind of write, including concurrent ones", async () => {
    const owner = await server.signUp();
    const base = `/api/${owner.id}/tasks`;
    const write = (method: string, path: string, body?: unknown) =>
      server.call(method, `${base}${path}`, { token: owner.jwt, body });

    async function expectCountsMatchRows(step: string) {
      const rows = (await list("limit=200", owner)).body as Task[];
      const expected = {
        all: rows.length,
        pending: rows.filter((task) => !task.completed).length,
        completed: rows.filter((task) => task.completed).length,
      };
      for (const status of ["all", "pending", "completed"] as const) {
        const response = await list(`status=${status}&limit=1`, owner);
        expect(response.headers.get("x-total-count"), `${step}: status=${status}`).toBe(
          String(expected[status]),
        );
      }
    }

    await expectCountsMatchRows("no tasks yet");
    const created = await Promise.all(
      Array.from({ length: 12 }, (_, n) => server.createTask(owner, { completed: n % 3 === 0 })),
    );
    await expectCountsMatchRows("after concurrent creates");
    await Promise.all(created.slice(0, 6).map((task) => write("PATCH", `/${task.id}/complete`)));
    await expectCountsMatchRows("after concurrent toggles");
    await write("PUT", `/${created[7]?.id}`, { completed: true, title: "done by PUT" });
    await write("PATCH", `/${created[8]?.id}/complete`, { completed: false });
    await expectCountsMatchRows("after PUT and PATCH set");
    await write("DELETE", `/${created[9]?.id}`);
    await expectCountsMatchRows("after a delete");
    await write("DELETE", "/completed");
    await expectCountsMatchRows("after clear completed");
    await write("POST", "/complete-all");
    await expectCountsMatchRows("after complete-all");
    await write("POST", "/complete-all", { completed: false });
    await expectCountsMatchRows("after reopening all");
  });
});
