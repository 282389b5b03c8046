import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem, problemShape, type TaskJson } from "../support/problems";
import {
  createTestServer,
  type JsonResponse,
  type TestServer,
  type TestUser,
} from "../support/test-server";

// Three users with overlapping data (same words, tags, priorities, due dates): A attacks, B and C
// are the victims. Every attack must be a 403 (someone else's path) or a 404 indistinguishable from
// a task that never existed (own path, someone else's id), and leave B's and C's data untouched.

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
let carol: TestUser;

/** Alice's tasks by name, and Bob's (filled in by beforeAll). */
const a = {} as Record<"list" | "notes" | "alpha" | "pending", TaskJson>;
const b = {} as Record<"groceries" | "report" | "done" | "private" | "old", TaskJson>;

/** No task ever has this id (ids are a fresh identity sequence). */
const NEVER_EXISTED = 2_147_483_647;

interface Snapshot {
  list: TaskJson[];
  total: string | null;
  one: { body: TaskJson; etag: string | null }[];
}

let bobBefore: Snapshot;
let carolBefore: Snapshot;

/** Everything a user can see of their own tasks: the full list and each task with its ETag. */
async function snapshot(user: TestUser): Promise<Snapshot> {
  const list = await server.call("GET", `/api/${user.id}/tasks?limit=200&sort=created&order=asc`, {
    token: user.jwt,
  });
  expect(list.status).toBe(200);
  const one = [];
  for (const task of list.body as TaskJson[]) {
    const read = await server.call("GET", `/api/${user.id}/tasks/${task.id}`, { token: user.jwt });
    expect(read.status).toBe(200);
    one.push({ body: read.body, etag: read.headers.get("etag") });
  }
  return { list: list.body, total: list.headers.get("x-total-count"), one };
}

async function expectVictimsUnchanged() {
  expect(await snapshot(bob)).toEqual(bobBefore);
  expect(await snapshot(carol)).toEqual(carolBefore);
}

async function etagOf(user: TestUser, id: number): Promise<string> {
  const read = await server.call("GET", `/api/${user.id}/tasks/${id}`, { token: user.jwt });
  expect(read.status).toBe(200);
  const etag = read.headers.get("etag");
  expect(etag).toMatch(/^"\d+-\d+"$/);
  return etag ?? "";
}

const ids = (response: JsonResponse) => (response.body as TaskJson[]).map((task) => task.id);

beforeAll(async () => {
  server = await createTestServer();
  [alice, bob, carol] = await Promise.all([
    server.signUp("Alice"),
    server.signUp("Bob"),
    server.signUp("Carol"),
  ]);
  // Interleaved creation, so that the owners' ids and timestamps alternate.
  const plan: [TestUser, Record<string, TaskJson>, string, Record<string, unknown>][] = [
    [
      bob,
      b,
      "groceries",
      {
        title: "Shared groceries",
        description: "milk and eggs",
        tags: ["shared", "home"],
        priority: "high",
        due_date: "2026-12-01T10:00:00Z",
      },
    ],
    [
      alice,
      a,
      "list",
      {
        title: "Shared list",
        description: "paper",
        tags: ["shared"],
        priority: "high",
        due_date: "2026-12-02T10:00:00Z",
      },
    ],
    [bob, b, "report", { title: "shared report", tags: ["shared", "work"], priority: "low" }],
    [alice, a, "notes", { title: "shared notes", tags: ["shared", "work"], completed: true }],
    [bob, b, "done", { title: "Bob done", tags: ["shared"], completed: true, priority: "low" }],
    [
      alice,
      a,
      "alpha",
      { title: "alpha", priority: "medium", due_date: "2027-01-01T00:00:00Z", completed: true },
    ],
    [bob, b, "private", { title: "private plan", due_date: "2027-01-02T00:00:00Z" }],
    [alice, a, "pending", { title: "zulu pending", tags: ["solo"] }],
    [bob, b, "old", { title: "Bob old", due_date: "2020-01-01T00:00:00Z", completed: true }],
  ];
  for (const [user, into, name, fields] of plan) into[name] = await server.createTask(user, fields);
  await server.createTask(carol, { title: "Shared carol", tags: ["shared"], completed: true });
  await server.createTask(carol, { title: "carol pending", tags: ["home"] });
  // Bob's tasks have been written more than once, so their ETags are not all "-1".
  await server.call("PUT", `/api/${bob.id}/tasks/${b.report.id}`, {
    token: bob.jwt,
    body: { description: "Q4 numbers" },
  });
  await server.call("PATCH", `/api/${bob.id}/tasks/${b.private.id}/complete`, { token: bob.jwt });
  await server.call("PATCH", `/api/${bob.id}/tasks/${b.private.id}/complete`, { token: bob.jwt });

  bobBefore = await snapshot(bob);
  carolBefore = await snapshot(carol);
  expect(bobBefore.list).toHaveLength(5);
  expect(carolBefore.list).toHaveLength(2);
});

afterAll(() => server.close());

const bobPath = () => `/api/${bob.id}/tasks`;
const alicePath = () => `/api/${alice.id}/tasks`;

describe("Alice's token on Bob's path: 403 for every route and method", () => {
  const attacks = (): [string, string, unknown?][] => [
    ["GET", bobPath()],
    ["GET", `${bobPath()}?status=completed&q=shared&tag=shared&limit=1`],
    ["POST", bobPath(), { title: "planted by Alice" }],
    ["GET", `${bobPath()}/${b.groceries.id}`],
    ["PUT", `${bobPath()}/${b.groceries.id}`, { title: "hijacked" }],
    ["DELETE", `${bobPath()}/${b.groceries.id}`],
    ["PATCH", `${bobPath()}/${b.report.id}/complete`],
    ["PATCH", `${bobPath()}/${b.report.id}/complete`, { completed: true }],
    ["POST", `${bobPath()}/complete-all`],
    ["POST", `${bobPath()}/complete-all`, { completed: false }],
    ["DELETE", `${bobPath()}/completed`],
  ];

  it("answers every one with a 403 problem", async () => {
    for (const [method, path, body] of attacks()) {
      const response = await server.call(method, path, { token: alice.jwt, body });
      expectProblem(response, 403);
      expect(response.headers.get("etag"), `${method} ${path}`).toBeNull();
      expect(response.headers.get("location"), `${method} ${path}`).toBeNull();
      expect(response.headers.get("x-total-count"), `${method} ${path}`).toBeNull();
    }
    await expectVictimsUnchanged();
  });

  it("answers 403 on Carol's path and on the path of a user that does not exist", async () => {
    for (const owner of [carol.id, "no-such-user", bob.id.toUpperCase(), `${alice.id}x`]) {
      for (const [method, path, body] of [
        ["GET", `/api/${owner}/tasks`],
        ["POST", `/api/${owner}/tasks`, { title: "x" }],
        ["DELETE", `/api/${owner}/tasks/completed`],
        ["POST", `/api/${owner}/tasks/complete-all`],
        ["PUT", `/api/${owner}/tasks/${b.report.id}`, { title: "x" }],
      ] as [string, string, unknown?][]) {
        expectProblem(await server.call(method, path, { token: alice.jwt, body }), 403);
      }
    }
    await expectVictimsUnchanged();
  });

  it("gives the same 403 whether Bob's task exists or not (no existence leak)", async () => {
    for (const [method, suffix, body] of [
      ["GET", "", undefined],
      ["PUT", "", { title: "x" }],
      ["DELETE", "", undefined],
      ["PATCH", "/complete", undefined],
    ] as [string, string, unknown][]) {
      const real = await server.call(method, `${bobPath()}/${b.groceries.id}${suffix}`, {
        token: alice.jwt,
        body,
      });
      const missing = await server.call(method, `${bobPath()}/${NEVER_EXISTED}${suffix}`, {
        token: alice.jwt,
        body,
      });
      const malformed = await server.call(method, `${bobPath()}/abc${suffix}`, {
        token: alice.jwt,
        body,
      });
      expectProblem(real, 403);
      expect(problemShape(missing)).toEqual(problemShape(real));
      expect(problemShape(malformed)).toEqual(problemShape(real));
    }
  });

  it("answers HEAD like GET: 403 on Bob's path, 404 for Bob's id on her own", async () => {
    const head = (path: string) =>
      server.request(path, { method: "HEAD", headers: { Authorization: `Bearer ${alice.jwt}` } });
    expect((await head(bobPath())).status).toBe(403);
    expect((await head(`${bobPath()}/${b.groceries.id}`)).status).toBe(403);
    const attack = await head(`${alicePath()}/${b.groceries.id}`);
    const missing = await head(`${alicePath()}/${NEVER_EXISTED}`);
    expect(attack.status).toBe(404);
    expect(problemShape(attack)).toEqual(problemShape(missing));
    expect(attack.headers.get("etag")).toBeNull();
  });

  it("checks ownership before the body, query and If-Match (403, not 400/412/422)", async () => {
    const etag = await etagOf(bob, b.report.id);
    const cases: [string, string, Parameters<TestServer["call"]>[2]][] = [
      ["POST", bobPath(), { body: "{not json" }],
      ["POST", bobPath(), { body: { title: "" } }],
      ["POST", bobPath(), { body: { title: "x", user_id: bob.id } }],
      ["GET", `${bobPath()}?limit=0&sort=bad`, {}],
      ["PUT", `${bobPath()}/${b.report.id}`, { body: {} }],
      [
        "PUT",
        `${bobPath()}/${b.report.id}`,
        { body: { title: "x" }, headers: { "If-Match": etag } },
      ],
      [
        "PUT",
        `${bobPath()}/${b.report.id}`,
        { body: { title: "x" }, headers: { "If-Match": '"1-99"' } },
      ],
      ["DELETE", `${bobPath()}/${b.report.id}`, { headers: { "If-Match": etag } }],
      ["DELETE", `${bobPath()}/${b.report.id}`, { headers: { "If-Match": "*" } }],
      ["PATCH", `${bobPath()}/${b.report.id}/complete`, { headers: { "If-Match": etag } }],
      ["GET", `${bobPath()}/${b.report.id}`, { headers: { "If-None-Match": etag } }],
    ];
    for (const [method, path, options] of cases) {
      const response = await server.call(method, path, { token: alice.jwt, ...options });
      expectProblem(response, 403);
    }
    await expectVictimsUnchanged();
  });
});

describe("Alice's token on her own path with Bob's task id: 404 like a missing task", () => {
  const routes: [string, string, unknown][] = [
    ["GET", "", undefined],
    ["PUT", "", { title: "hijacked", completed: true }],
    ["DELETE", "", undefined],
    ["PATCH", "/complete", undefined],
    ["PATCH", "/complete", { completed: true }],
    ["PATCH", "/complete", { completed: false }],
  ];

  it("answers every method with a 404 identical to one for an id that never existed", async () => {
    for (const victim of Object.values(b)) {
      for (const [method, suffix, body] of routes) {
        const attack = await server.call(method, `${alicePath()}/${victim.id}${suffix}`, {
          token: alice.jwt,
          body,
        });
        const missing = await server.call(method, `${alicePath()}/${NEVER_EXISTED}${suffix}`, {
          token: alice.jwt,
          body,
        });
        expectProblem(attack, 404);
        expectProblem(missing, 404);
        expect(problemShape(attack), `${method} ${suffix} of task ${victim.id}`).toEqual(
          problemShape(missing),
        );
        expect(attack.headers.get("etag")).toBeNull();
      }
    }
    await expectVictimsUnchanged();
  });

  it("looks the same as Alice's own task after she deleted it", async () => {
    const mine = await server.createTask(alice, { title: "short-lived" });
    expect(
      (await server.call("DELETE", `${alicePath()}/${mine.id}`, { token: alice.jwt })).status,
    ).toBe(204);
    for (const [method, suffix, body] of routes) {
      const deleted = await server.call(method, `${alicePath()}/${mine.id}${suffix}`, {
        token: alice.jwt,
        body,
      });
      const bobs = await server.call(method, `${alicePath()}/${b.old.id}${suffix}`, {
        token: alice.jwt,
        body,
      });
      expect(problemShape(bobs)).toEqual(problemShape(deleted));
    }
  });

  it("answers 404, not 412, to If-Match with Bob's real ETag, a stale one, or *", async () => {
    for (const victim of [b.groceries, b.report, b.done]) {
      const etag = await etagOf(bob, victim.id);
      for (const ifMatch of [etag, `"${victim.id}-99"`, `W/${etag}`, "*", `"${NEVER_EXISTED}-1"`]) {
        for (const [method, suffix, body] of [
          ["PUT", "", { title: "hijacked" }],
          ["DELETE", "", undefined],
          ["PATCH", "/complete", undefined],
          ["PATCH", "/complete", { completed: false }],
        ] as [string, string, unknown][]) {
          const attack = await server.call(method, `${alicePath()}/${victim.id}${suffix}`, {
            token: alice.jwt,
            body,
            headers: { "If-Match": ifMatch },
          });
          const missing = await server.call(method, `${alicePath()}/${NEVER_EXISTED}${suffix}`, {
            token: alice.jwt,
            body,
            headers: { "If-Match": ifMatch },
          });
          expectProblem(attack, 404);
          expect(problemShape(attack), `${method}${suffix} If-Match ${ifMatch}`).toEqual(
            problemShape(missing),
          );
        }
      }
    }
    await expectVictimsUnchanged();
  });

  it("answers 404, not 304, to If-None-Match with Bob's real ETag", async () => {
    const etag = await etagOf(bob, b.groceries.id);
    for (const header of [etag, `W/${etag}`, "*"]) {
      const attack = await server.call("GET", `${alicePath()}/${b.groceries.id}`, {
        token: alice.jwt,
        headers: { "If-None-Match": header },
      });
      expectProblem(attack, 404);
      expect(attack.headers.get("etag")).toBeNull();
    }
  });

  it("survives many concurrent writes aimed at Bob's tasks", async () => {
    const writes = Object.values(b).flatMap((victim) => [
      server.call("PUT", `${alicePath()}/${victim.id}`, { token: alice.jwt, body: { title: "x" } }),
      server.call("PATCH", `${alicePath()}/${victim.id}/complete`, { token: alice.jwt }),
      server.call("DELETE", `${alicePath()}/${victim.id}`, { token: alice.jwt }),
      server.call("PUT", `${bobPath()}/${victim.id}`, { token: alice.jwt, body: { title: "x" } }),
      server.call("DELETE", `${bobPath()}/${victim.id}`, { token: alice.jwt }),
    ]);
    const statuses = (await Promise.all(writes)).map((response) => response.status);
    expect(new Set(statuses)).toEqual(new Set([403, 404]));
    await expectVictimsUnchanged();
  });
});

describe("Alice's list never shows Bob's tasks", () => {
  function expectOnlyAlice(response: JsonResponse, context: string) {
    expect(response.status, context).toBe(200);
    for (const task of response.body as TaskJson[]) {
      expect(task.user_id, context).toBe(alice.id);
    }
    const bobIds = new Set(Object.values(b).map((task) => task.id));
    expect(
      ids(response).filter((id) => bobIds.has(id)),
      context,
    ).toEqual([]);
  }

  it("through every filter, with X-Total-Count counting only her tasks", async () => {
    const all = Object.values(a);
    const expectations: [string, TaskJson[]][] = [
      ["", all],
      ["status=all", all],
      ["status=completed", all.filter((task) => task.completed)],
      ["status=pending", all.filter((task) => !task.completed)],
      ["q=shared", [a.list, a.notes]],
      ["q=SHARED", [a.list, a.notes]],
      ["q=milk", []],
      ["q=eggs", []],
      ["q=Bob", []],
      ["q=private", []],
      ["q=%25", []],
      ["q=_", []],
      ["tag=shared", [a.list, a.notes]],
      ["tag=home", []],
      ["tag=work", [a.notes]],
      ["priority=low", []],
      ["priority=high", [a.list]],
      ["due_before=2026-12-01T12:00:00Z", []],
      ["due_before=2030-01-01T00:00:00Z", [a.list, a.alpha]],
      ["due_after=2026-12-31T00:00:00Z", [a.alpha]],
      ["status=completed&tag=shared&q=shared", [a.notes]],
    ];
    for (const [query, expected] of expectations) {
      const response = await server.call("GET", `${alicePath()}?limit=200&${query}`, {
        token: alice.jwt,
      });
      expectOnlyAlice(response, query);
      expect(ids(response).sort(), query).toEqual(expected.map((task) => task.id).sort());
      expect(response.headers.get("x-total-count"), query).toBe(String(expected.length));
    }
  });

  it("in every sort and order, page by page with Alice's own cursors", async () => {
    const expected = Object.values(a)
      .map((task) => task.id)
      .sort();
    for (const sort of ["created", "updated", "title", "due_date", "priority"]) {
      for (const order of ["asc", "desc"]) {
        for (const filter of ["", "&q=shared", "&tag=shared", "&status=completed"]) {
          const context = `sort=${sort}&order=${order}${filter}`;
          const seen: number[] = [];
          let next: string | undefined = `${alicePath()}?limit=1&${context}`;
          for (let page = 0; next && page < 20; page++) {
            const response = await server.call("GET", next, { token: alice.jwt });
            expectOnlyAlice(response, context);
            seen.push(...ids(response));
            next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
            if (next) expect(next.startsWith(`${alicePath()}?`), context).toBe(true);
          }
          expect(next, context).toBeUndefined();
          const want =
            filter === ""
              ? expected
              : filter === "&status=completed"
                ? [a.notes.id, a.alpha.id].sort()
                : [a.list.id, a.notes.id].sort();
          expect([...seen].sort(), context).toEqual(want);
        }
      }
    }
  });

  it("when Alice replays Bob's cursors on her own path", async () => {
    for (const sort of ["created", "updated", "title", "due_date", "priority"]) {
      for (const order of ["asc", "desc"]) {
        const context = `sort=${sort}&order=${order}`;
        let next: string | undefined = `${bobPath()}?limit=1&${context}`;
        let pages = 0;
        while (next && pages < 10) {
          const bobs = await server.call("GET", next, { token: bob.jwt });
          expect(bobs.status).toBe(200);
          pages++;
          next = /<([^>]+)>;\s*rel="next"/.exec(bobs.headers.get("link") ?? "")?.[1];
          const cursor = next && new URL(next, "http://x").searchParams.get("cursor");
          if (!cursor) break;
          const replay = await server.call(
            "GET",
            `${alicePath()}?limit=200&${context}&cursor=${encodeURIComponent(cursor)}`,
            { token: alice.jwt },
          );
          expectOnlyAlice(replay, `${context} with Bob's cursor`);
          // The total counts Alice's matching tasks, whatever the cursor.
          expect(replay.headers.get("x-total-count")).toBe(String(Object.keys(a).length));
          // And Bob's cursor on Bob's path with Alice's token is still a 403.
          expectProblem(
            await server.call("GET", `${bobPath()}?${context}&cursor=${cursor}`, {
              token: alice.jwt,
            }),
            403,
          );
        }
        expect(pages, context).toBeGreaterThan(1);
      }
    }
  });

  it("when Alice uses a cursor positioned exactly on each of Bob's tasks", async () => {
    // Bob pages one task at a time: each of his cursors points at one of his own rows.
    const bobIds = new Set(Object.values(b).map((task) => task.id));
    const byId = new Map(Object.values(b).map((task) => [task.id, task]));
    let next: string | undefined = `${bobPath()}?limit=1&sort=created&order=desc`;
    let used = 0;
    while (next) {
      const page = await server.call("GET", next, { token: bob.jwt });
      expect(page.status).toBe(200);
      next = /<([^>]+)>;\s*rel="next"/.exec(page.headers.get("link") ?? "")?.[1];
      const cursor = next && new URL(next, "http://x").searchParams.get("cursor");
      if (!cursor) break;
      const wire = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
      const victim = byId.get(wire.i);
      expect(bobIds.has(wire.i)).toBe(true);
      if (!victim) continue;
      // Alice's tasks created before that row of Bob's, and nothing else.
      const response = await server.call(
        "GET",
        `${alicePath()}?sort=created&order=desc&cursor=${cursor}`,
        { token: alice.jwt },
      );
      expectOnlyAlice(response, `cursor at Bob's task ${victim.id}`);
      const older = Object.values(a).filter(
        (task) =>
          task.created_at < victim.created_at ||
          (task.created_at === victim.created_at && task.id < victim.id),
      );
      expect(ids(response).sort()).toEqual(older.map((task) => task.id).sort());
      used++;
    }
    expect(used).toBe(Object.keys(b).length - 1);
  });

  it("and a task Alice creates is hers, even if she names Bob in the body", async () => {
    const named = await server.call("POST", alicePath(), {
      token: alice.jwt,
      body: { title: "for Bob?", user_id: bob.id },
    });
    expectProblem(named, 422);
    const created = await server.call("POST", alicePath(), {
      token: alice.jwt,
      body: { title: "mine" },
    });
    expect(created.status).toBe(201);
    expect(created.body.user_id).toBe(alice.id);
    expect(created.headers.get("location")).toBe(`${alicePath()}/${created.body.id}`);
    expect(
      (await server.call("DELETE", `${alicePath()}/${created.body.id}`, { token: alice.jwt }))
        .status,
    ).toBe(204);
    await expectVictimsUnchanged();
  });
});

describe("bulk routes touch only the caller's tasks", () => {
  it("complete-all by Alice completes only hers, both ways", async () => {
    const pending = Object.values(a).filter((task) => !task.completed).length;
    const done = await server.call("POST", `${alicePath()}/complete-all`, { token: alice.jwt });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ updated: pending });
    await expectVictimsUnchanged();

    const reopened = await server.call("POST", `${alicePath()}/complete-all`, {
      token: alice.jwt,
      body: { completed: false },
    });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toEqual({ updated: Object.keys(a).length });
    await expectVictimsUnchanged();
    const mine = await server.call("GET", `${alicePath()}?status=completed`, { token: alice.jwt });
    expect(mine.body).toEqual([]);
  });

  it("clear completed by Alice deletes only hers", async () => {
    await server.call("PATCH", `${alicePath()}/${a.notes.id}/complete`, {
      token: alice.jwt,
      body: { completed: true },
    });
    const cleared = await server.call("DELETE", `${alicePath()}/completed`, { token: alice.jwt });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ deleted: 1 });
    const again = await server.call("DELETE", `${alicePath()}/completed`, { token: alice.jwt });
    expect(again.body).toEqual({ deleted: 0 });
    await expectVictimsUnchanged();
    // Bob still has his completed tasks.
    const bobsDone = await server.call("GET", `${bobPath()}?status=completed`, { token: bob.jwt });
    expect(ids(bobsDone).sort()).toEqual([b.done.id, b.old.id].sort());
  });
});

describe("after every attack", () => {
  it("Bob's and Carol's tasks are exactly as they were, ETags and updated_at included", async () => {
    await expectVictimsUnchanged();
    // And Bob can still do everything with them: the data was not locked or hidden from him.
    const write = await server.call("PUT", `${bobPath()}/${b.groceries.id}`, {
      token: bob.jwt,
      headers: { "If-Match": await etagOf(bob, b.groceries.id) },
      body: { title: "Shared groceries, still Bob's" },
    });
    expect(write.status).toBe(200);
    expect(write.body.user_id).toBe(bob.id);
  });
});
