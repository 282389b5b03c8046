import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneEvents } from "../../src/sync/prune-events";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// GET /api/{user_id}/changes (decision 036) on both engines.

let server: TestServer;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  [alice, bob] = [await server.signUp("Alice"), await server.signUp("Bob")];
});
afterAll(() => server.close());

const changes = (user: TestUser, query = "", token = user.jwt) =>
  server.call("GET", `/api/${user.id}/changes${query}`, { token });

/** Every event of the user after `since`, following `next` page by page. */
async function allChanges(user: TestUser, since = 0, limit = 7) {
  // biome-ignore lint/suspicious/noExplicitAny: event bodies read loosely
  const events: any[] = [];
  let next = since;
  for (;;) {
    const page = await changes(user, `?since=${next}&limit=${limit}`);
    expect(page.status).toBe(200);
    events.push(...page.body.events);
    next = page.body.next;
    if (!page.body.more) return { events, next };
  }
}

describe("GET /api/{user_id}/changes", () => {
  it("without since answers a bookmark: no events, next = the current seq", async () => {
    const user = await server.signUp();
    expect((await changes(user)).body).toEqual({ events: [], next: 0, more: false });
    await server.createTask(user);
    await server.createTask(user);
    expect((await changes(user)).body).toEqual({ events: [], next: 2, more: false });
  });

  it("answers each change as API JSON: ISO times, API field names, the task's version", async () => {
    const user = await server.signUp();
    const { body: bookmark } = await changes(user);
    const task = await server.createTask(user, {
      title: "Draft",
      due_date: "2030-01-02T03:04:05.678Z",
      tags: ["home"],
    });
    const updated = await server.call("PUT", `/api/${user.id}/tasks/${task.id}`, {
      token: user.jwt,
      body: { title: "Final", priority: "high" },
    });
    const toggled = await server.call("PATCH", `/api/${user.id}/tasks/${task.id}/complete`, {
      token: user.jwt,
    });
    const page = await changes(user, `?since=${bookmark.next}`);
    expect(page.status).toBe(200);
    expect(page.body.more).toBe(false);
    expect(page.body.next).toBe(3);
    const [created, renamed, completed] = page.body.events;
    expect(created).toEqual({
      seq: 1,
      task_id: task.id,
      op: "create",
      version: 1,
      task: { ...task, deleted_at: null },
      changed: [],
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(renamed).toMatchObject({ seq: 2, op: "update", version: 2 });
    expect(renamed.task).toEqual({ ...updated.body, deleted_at: null });
    expect(renamed.changed.sort()).toEqual(["priority", "title"]);
    expect(completed.task).toEqual({ ...toggled.body, deleted_at: null });
    expect(completed.changed.sort()).toEqual(["completed", "completed_at"]);
  });

  it("pages with limit, next and more, and never repeats or skips an event", async () => {
    const user = await server.signUp();
    for (let i = 0; i < 10; i++) await server.createTask(user);
    const first = await changes(user, "?since=0&limit=4");
    expect(first.body.events.map((e: { seq: number }) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(first.body).toMatchObject({ next: 4, more: true });
    const { events, next } = await allChanges(user, 0, 3);
    expect(events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(next).toBe(10);
    expect((await changes(user, "?since=10")).body).toEqual({ events: [], next: 10, more: false });
  });

  it("numbers 20 concurrent writers' events without a gap or a repeat", async () => {
    const user = await server.signUp();
    const tasks = await Promise.all(Array.from({ length: 20 }, () => server.createTask(user)));
    await Promise.all(
      tasks.flatMap((task) => [
        server.call("PATCH", `/api/${user.id}/tasks/${task.id}/complete`, { token: user.jwt }),
        server.call("PUT", `/api/${user.id}/tasks/${task.id}`, {
          token: user.jwt,
          body: { title: `Renamed ${task.id}` },
        }),
      ]),
    );
    const { events, next } = await allChanges(user, 0, 13);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(next).toBe(60);
    // Per task, the versions rise with the seq: the log's order is the order of the writes.
    for (const task of tasks) {
      const versions = events.filter((e) => e.task_id === task.id).map((e) => e.version);
      expect(versions).toEqual([1, 2, 3]);
    }
  });

  it("never shows another user's events, and refuses another user's path", async () => {
    const mine = await server.createTask(alice, { title: "Alice's" });
    await server.createTask(bob, { title: "Bob's" });
    const { events } = await allChanges(alice);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((e) => e.task.user_id === alice.id)).toBe(true);
    expect(events.some((e) => e.task_id === mine.id)).toBe(true);
    expect((await changes(bob, "?since=0", alice.jwt)).status).toBe(403);
    expect((await changes(alice, "?since=0", "")).status).toBe(401);
  });

  it("answers 410 problem+json for a since that was pruned or never handed out", async () => {
    const user = await server.signUp();
    for (let i = 0; i < 3; i++) await server.createTask(user);
    // Everything so far is older than "now + 1 s": pruned, and pruned_through becomes 3.
    expect(
      await pruneEvents(server.database.db, new Date(Date.now() + 1_000), 2),
    ).toBeGreaterThanOrEqual(3);
    const [sync] = (
      (await server.database.db.execute(
        sql`select pruned_through::int from user_sync where user_id = ${user.id}`,
      )) as unknown as { rows: { pruned_through: number }[] }
    ).rows;
    expect(sync?.pruned_through).toBe(3);
    await server.createTask(user);

    const gone = await changes(user, "?since=2");
    expect(gone.status).toBe(410);
    expect(gone.headers.get("content-type")).toBe("application/problem+json");
    expect(gone.body).toMatchObject({ status: 410, title: "Gone" });
    expect((await changes(user, "?since=99")).status).toBe(410);
    const resumed = await changes(user, "?since=3");
    expect(resumed.status).toBe(200);
    expect(resumed.body.events.map((e: { seq: number }) => e.seq)).toEqual([4]);
  });

  it("answers 422 for a since or limit that is not a whole number in range", async () => {
    for (const query of [
      "?since=abc",
      "?since=-1",
      "?since=1.5",
      "?limit=0",
      "?limit=1001",
      "?x=1",
    ]) {
      const response = await changes(alice, query);
      expect(response.status, query).toBe(422);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
