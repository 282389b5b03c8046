import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem } from "../support/problems";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// The trash (decision 039): DELETE and "clear completed" move tasks there; lists, counts and the
// task routes leave them out; GET /trash lists them; restore brings them back; purges delete them
// for good. Each write route appends exactly one change-log event per task it changed.

let server: TestServer;
let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  [user, other] = await Promise.all([server.signUp(), server.signUp()]);
});
afterAll(() => server.close());

const base = (who: TestUser = user) => `/api/${who.id}`;
const send = (
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; as?: TestUser } = {},
) => server.call(method, path, { token: (options.as ?? user).jwt, ...options });

interface EventRow {
  seq: number;
  task_id: number;
  op: string;
}

async function eventsOf(who: TestUser): Promise<EventRow[]> {
  const result = await server.database.db.execute(
    sql`select seq::int, task_id, op from task_events where user_id = ${who.id} order by seq`,
  );
  return (result as unknown as { rows: EventRow[] }).rows;
}

/** The events that `write` appended, as [task id, op] in order. */
async function eventsDuring(who: TestUser, write: () => Promise<unknown>) {
  const before = (await eventsOf(who)).length;
  await write();
  return (await eventsOf(who)).slice(before).map((e) => [e.task_id, e.op]);
}

const listIds = async (query = "") => {
  const response = await send("GET", `${base()}/tasks?limit=200${query}`);
  expect(response.status).toBe(200);
  return {
    ids: (response.body as { id: number }[]).map((t) => t.id),
    total: response.headers.get("x-total-count"),
  };
};

const trashIds = async (who: TestUser = user) => {
  const response = await send("GET", `${base(who)}/trash?limit=200`, { as: who });
  expect(response.status).toBe(200);
  return (response.body as { id: number }[]).map((t) => t.id);
};

describe("DELETE /tasks/{id}", () => {
  it("moves the task to the trash with its version bumped, out of every list and task route", async () => {
    const task = await server.createTask(user, { title: "Trash me unique-zebra" });
    const kept = await server.createTask(user, { title: "Keep me unique-zebra" });
    expect(await eventsDuring(user, () => send("DELETE", `${base()}/tasks/${task.id}`))).toEqual([
      [task.id, "delete"],
    ]);
    const trash = await send("GET", `${base()}/trash`);
    expect(trash.body[0]).toMatchObject({ id: task.id, version: 2, title: task.title });
    expect(Date.parse(trash.body[0].deleted_at)).not.toBeNaN();
    for (const query of ["", "&status=pending", "&q=unique-zebra", "&sort=title&order=asc"]) {
      const { ids } = await listIds(query);
      expect(ids, query).not.toContain(task.id);
      expect(ids, query).toContain(kept.id);
    }
    const { total } = await listIds("&q=unique-zebra");
    expect(total).toBe("1");
    for (const [method, path, body] of [
      ["GET", "", undefined],
      ["PUT", "", { title: "Back?" }],
      ["PATCH", "/complete", undefined],
      ["DELETE", "", undefined],
    ] as const) {
      const response = await send(method, `${base()}/tasks/${task.id}${path}`, { body });
      expectProblem(response, 404);
    }
    // If-Match with the trashed version's real ETag is still a 404, not a 412.
    const withEtag = await send("PUT", `${base()}/tasks/${task.id}`, {
      body: { title: "x" },
      headers: { "If-Match": `"${task.id}-2"` },
    });
    expectProblem(withEtag, 404);
  });

  it("leaves trashed tasks out of X-Total-Count, complete-all and clear completed", async () => {
    const who = await server.signUp();
    const [a, b, c] = [
      await server.createTask(who),
      await server.createTask(who, { completed: true }),
      await server.createTask(who),
    ];
    await send("DELETE", `${base(who)}/tasks/${c.id}`, { as: who });
    const list = await send("GET", `${base(who)}/tasks`, { as: who });
    expect(list.headers.get("x-total-count")).toBe("2");
    const pending = await send("GET", `${base(who)}/tasks?status=pending`, { as: who });
    expect(pending.headers.get("x-total-count")).toBe("1");
    // complete-all changes a only: the trashed c stays pending, with no event.
    expect(
      await eventsDuring(who, async () => {
        const done = await send("POST", `${base(who)}/tasks/complete-all`, { as: who });
        expect(done.body).toEqual({ updated: 1 });
      }),
    ).toEqual([[a.id, "update"]]);
    // Clear completed moves a and b to the trash, one event each.
    const cleared = await eventsDuring(who, async () => {
      const response = await send("DELETE", `${base(who)}/tasks/completed`, { as: who });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ deleted: 2 });
    });
    expect(cleared.sort()).toEqual([
      [a.id, "delete"],
      [b.id, "delete"],
    ]);
    expect(
      (await send("GET", `${base(who)}/tasks`, { as: who })).headers.get("x-total-count"),
    ).toBe("0");
    expect((await trashIds(who)).sort()).toEqual([a.id, b.id, c.id].sort());
  });
});

describe("POST /tasks/{id}/restore", () => {
  it("brings the task back as it was, with a new version and ETag; restoring again changes nothing", async () => {
    const task = await server.createTask(user, {
      title: "Come back",
      tags: ["x"],
      priority: "high",
    });
    await send("DELETE", `${base()}/tasks/${task.id}`);
    let restored = await send("POST", `${base()}/tasks/${task.id}/restore`);
    expect(await eventsOf(user).then((e) => e.at(-1))).toMatchObject({
      task_id: task.id,
      op: "restore",
    });
    expect(restored.status).toBe(200);
    expect(restored.body).toMatchObject({
      id: task.id,
      title: "Come back",
      tags: ["x"],
      priority: "high",
      created_at: task.created_at,
      version: 3,
    });
    expect(restored.body).not.toHaveProperty("deleted_at");
    expect(restored.headers.get("etag")).toBe(`"${task.id}-3"`);
    expect((await listIds()).ids).toContain(task.id);
    expect(await trashIds()).not.toContain(task.id);
    // Idempotent: a live task is answered as it is, without an event.
    expect(
      await eventsDuring(user, async () => {
        restored = await send("POST", `${base()}/tasks/${task.id}/restore`, {
          headers: { "If-Match": `"${task.id}-2"` },
        });
      }),
    ).toEqual([]);
    expect(restored.status).toBe(200);
    expect(restored.body.version).toBe(3);
  });

  it("honours If-Match: 412 for a stale ETag, changing nothing; the current one restores", async () => {
    const task = await server.createTask(user);
    await send("DELETE", `${base()}/tasks/${task.id}`);
    const stale = await eventsDuring(user, async () => {
      const response = await send("POST", `${base()}/tasks/${task.id}/restore`, {
        headers: { "If-Match": `"${task.id}-1"` },
      });
      expectProblem(response, 412);
    });
    expect(stale).toEqual([]);
    expect(await trashIds()).toContain(task.id);
    const ok = await send("POST", `${base()}/tasks/${task.id}/restore`, {
      headers: { "If-Match": `"${task.id}-2"` },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toBe(3);
  });

  it("answers 404 for a task that never existed or was purged", async () => {
    expectProblem(await send("POST", `${base()}/tasks/2147483647/restore`), 404);
    const task = await server.createTask(user);
    await send("DELETE", `${base()}/tasks/${task.id}`);
    await send("DELETE", `${base()}/trash/${task.id}`);
    expectProblem(await send("POST", `${base()}/tasks/${task.id}/restore`), 404);
  });
});

describe("purging", () => {
  it("DELETE /trash/{id} deletes a trashed task for good, once; a live task is not in the trash", async () => {
    const live = await server.createTask(user);
    const task = await server.createTask(user);
    await send("DELETE", `${base()}/tasks/${task.id}`);
    expectProblem(await send("DELETE", `${base()}/trash/${live.id}`), 404);
    const events = await eventsDuring(user, async () => {
      expect((await send("DELETE", `${base()}/trash/${task.id}`)).status).toBe(204);
    });
    expect(events).toEqual([[task.id, "purge"]]);
    expectProblem(await send("DELETE", `${base()}/trash/${task.id}`), 404);
    expect(await trashIds()).not.toContain(task.id);
    expect((await send("GET", `${base()}/tasks/${live.id}`)).status).toBe(200);
  });

  it("DELETE /trash empties the trash, one purge event per task, and leaves live tasks", async () => {
    const who = await server.signUp();
    const live = await server.createTask(who);
    const doomed = [await server.createTask(who), await server.createTask(who)];
    for (const task of doomed) await send("DELETE", `${base(who)}/tasks/${task.id}`, { as: who });
    const events = await eventsDuring(who, async () => {
      const response = await send("DELETE", `${base(who)}/trash`, { as: who });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ purged: 2 });
    });
    expect(events.sort()).toEqual(doomed.map((t) => [t.id, "purge"]).sort());
    expect(await trashIds(who)).toEqual([]);
    expect((await send("GET", `${base(who)}/trash`, { as: who })).body).toEqual([]);
    expect((await send("DELETE", `${base(who)}/trash`, { as: who })).body).toEqual({ purged: 0 });
    expect((await send("GET", `${base(who)}/tasks/${live.id}`, { as: who })).status).toBe(200);
  });
});

describe("every write route", () => {
  it("appends exactly one event per changed task", async () => {
    const who = await server.signUp();
    const path = base(who);
    const as = { as: who };
    const run = (method: string, url: string, body?: unknown) =>
      eventsDuring(who, () => send(method, url, { ...as, body }));
    const created = await send("POST", `${path}/tasks`, { ...as, body: { title: "One" } });
    const id = created.body.id as number;
    expect((await eventsOf(who)).map((e) => [e.task_id, e.op])).toEqual([[id, "create"]]);
    expect(await run("PUT", `${path}/tasks/${id}`, { title: "Two" })).toEqual([[id, "update"]]);
    expect(await run("PATCH", `${path}/tasks/${id}/complete`)).toEqual([[id, "update"]]);
    expect(await run("PATCH", `${path}/tasks/${id}/complete`, { completed: false })).toEqual([
      [id, "update"],
    ]);
    expect(await run("POST", `${path}/tasks/complete-all`)).toEqual([[id, "update"]]);
    expect(await run("DELETE", `${path}/tasks/completed`)).toEqual([[id, "delete"]]);
    expect(await run("POST", `${path}/tasks/${id}/restore`)).toEqual([[id, "restore"]]);
    expect(await run("DELETE", `${path}/tasks/${id}`)).toEqual([[id, "delete"]]);
    expect(await run("DELETE", `${path}/trash/${id}`)).toEqual([[id, "purge"]]);
    const second = await server.createTask(who);
    await send("DELETE", `${path}/tasks/${second.id}`, as);
    expect(await run("DELETE", `${path}/trash`)).toEqual([[second.id, "purge"]]);
    // A write that changes nothing appends nothing.
    expect(await run("POST", `${path}/tasks/complete-all`)).toEqual([]);
    expect(await run("DELETE", `${path}/tasks/completed`)).toEqual([]);
    expect(await run("DELETE", `${path}/trash`)).toEqual([]);
    const seqs = (await eventsOf(who)).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

describe("GET /trash", () => {
  it("pages newest deleted first with Link rel=next, every task once", async () => {
    const who = await server.signUp();
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) {
      const task = await server.createTask(who, { title: `T${i}` });
      ids.push(task.id);
    }
    // Some deleted in one statement, so that several share a deleted_at: the id breaks the tie.
    for (const id of ids.slice(0, 3)) {
      await send("PATCH", `${base(who)}/tasks/${id}/complete`, { as: who });
    }
    await send("DELETE", `${base(who)}/tasks/completed`, { as: who });
    for (const id of ids.slice(3)) await send("DELETE", `${base(who)}/tasks/${id}`, { as: who });
    const seen: number[] = [];
    let url: string | undefined = `${base(who)}/trash?limit=2`;
    let pages = 0;
    while (url) {
      const page = await send("GET", url, { as: who });
      expect(page.status).toBe(200);
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((t: { id: number }) => t.id));
      url = /<([^>]+)>; rel="next"/.exec(page.headers.get("link") ?? "")?.[1];
      pages++;
    }
    expect(pages).toBe(4);
    expect(seen).toEqual([...ids.slice(3).reverse(), ...ids.slice(0, 3).reverse()]);
  });

  it("refuses a cursor it did not issue with 422", async () => {
    for (const cursor of ["nope", Buffer.from('{"d":"x","i":1}').toString("base64url")]) {
      expectProblem(await send("GET", `${base()}/trash?cursor=${cursor}`), 422);
    }
    expectProblem(await send("GET", `${base()}/trash?limit=0`), 422);
    expectProblem(await send("GET", `${base()}/trash?colour=red`), 422);
  });
});

describe("isolation", () => {
  it("answers another user's trash, restore, purge and history with 403 on their path and 404 on one's own", async () => {
    const theirs = await server.createTask(other, { title: "Other's" });
    await send("DELETE", `${base(other)}/tasks/${theirs.id}`, { as: other });
    const before = await eventsOf(other);
    for (const [method, path] of [
      ["GET", "/trash"],
      ["DELETE", "/trash"],
      ["DELETE", `/trash/${theirs.id}`],
      ["POST", `/tasks/${theirs.id}/restore`],
      ["GET", `/tasks/${theirs.id}/history`],
    ] as const) {
      expectProblem(await send(method, `${base(other)}${path}`), 403);
      expectProblem(await send(method, `${base(other)}${path}`, { as: user, headers: {} }), 403);
      const unauthenticated = await server.call(method, `${base(other)}${path}`);
      expectProblem(unauthenticated, 401);
    }
    for (const [method, path] of [
      ["DELETE", `/trash/${theirs.id}`],
      ["POST", `/tasks/${theirs.id}/restore`],
      ["GET", `/tasks/${theirs.id}/history`],
    ] as const) {
      const response = await send(method, `${base()}${path}`);
      expectProblem(response, 404);
      const never = await send(method, `${base()}${path.replace(String(theirs.id), "2147483647")}`);
      expect(response.body.detail).toBe(never.body.detail);
    }
    expect(await trashIds()).not.toContain(theirs.id);
    expect((await send("DELETE", `${base()}/trash`)).body.purged).toBeGreaterThanOrEqual(0);
    expect(await eventsOf(other)).toEqual(before);
    expect(await trashIds(other)).toEqual([theirs.id]);
  });
});
