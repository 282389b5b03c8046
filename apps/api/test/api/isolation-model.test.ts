import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { attackRuns, reportAttackFigures } from "../support/attack-report";
import type { TaskJson } from "../support/problems";
import {
  createTestServer,
  type JsonResponse,
  type TestServer,
  type TestUser,
} from "../support/test-server";

// Model-based isolation: random operations by three users, aimed at their own and at each other's
// paths and tasks, each answer checked against an in-memory model of who owns what. Any cross-user
// read or write, a missing 403/404/412, or a lost write fails with a replayable seed and path.
// Bounded here; `npm run test:attack` runs it with ATTACK_RUNS on PostgreSQL.

interface ModelTask {
  owner: number;
  title: string;
  completed: boolean;
  version: number;
  /** In the trash (decision 039): out of lists and the task routes, until restored or purged. */
  trashed: boolean;
}

/** No task ever has this id. */
const NEVER_EXISTED = 2_147_483_647;
const USERS = 3;

type IfMatch = "none" | "current" | "stale" | "otherTask";
type Op =
  | { kind: "create"; actor: number; path: number; title: string; completed: boolean }
  | { kind: "get" | "toggle"; actor: number; path: number; target: number; ifMatch: IfMatch }
  | { kind: "put"; actor: number; path: number; target: number; ifMatch: IfMatch; title: string }
  | {
      kind: "set";
      actor: number;
      path: number;
      target: number;
      ifMatch: IfMatch;
      completed: boolean;
    }
  | { kind: "delete" | "restore"; actor: number; path: number; target: number; ifMatch: IfMatch }
  | { kind: "purge"; actor: number; path: number; target: number; ifMatch: IfMatch }
  | { kind: "history"; actor: number; path: number; target: number; ifMatch: IfMatch }
  | { kind: "emptyTrash"; actor: number; path: number }
  | { kind: "trash"; actor: number; path: number }
  | { kind: "completeAll"; actor: number; path: number; completed: boolean }
  | { kind: "clearCompleted"; actor: number; path: number }
  | { kind: "list"; actor: number; path: number; status: "all" | "pending" | "completed" };

const user = fc.nat({ max: USERS - 1 });
/** Mostly the actor's own path (so that writes happen), sometimes another user's. */
const pathOf = fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: user });
const target = fc.nat({ max: 1_000 });
const ifMatch = fc.constantFrom<IfMatch>("none", "none", "current", "stale", "otherTask");
const title = fc.stringMatching(/^[a-z0-9]{1,12}$/).map((text) => `t ${text}`);

const op: fc.Arbitrary<Op> = fc
  .oneof(
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("create" as const),
        actor: user,
        path: pathOf,
        title,
        completed: fc.boolean(),
      }),
    },
    fc.record({
      kind: fc.constantFrom("get" as const, "toggle" as const),
      actor: user,
      path: pathOf,
      target,
      ifMatch,
    }),
    fc.record({
      kind: fc.constant("put" as const),
      actor: user,
      path: pathOf,
      target,
      ifMatch,
      title,
    }),
    fc.record({
      kind: fc.constant("set" as const),
      actor: user,
      path: pathOf,
      target,
      ifMatch,
      completed: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("delete" as const), actor: user, path: pathOf, target, ifMatch }),
    fc.record({
      kind: fc.constant("restore" as const),
      actor: user,
      path: pathOf,
      target,
      ifMatch,
    }),
    fc.record({
      kind: fc.constant("purge" as const),
      actor: user,
      path: pathOf,
      target,
      ifMatch,
    }),
    fc.record({
      kind: fc.constant("history" as const),
      actor: user,
      path: pathOf,
      target,
      ifMatch,
    }),
    fc.record({ kind: fc.constant("emptyTrash" as const), actor: user, path: pathOf }),
    fc.record({ kind: fc.constant("trash" as const), actor: user, path: pathOf }),
    fc.record({
      kind: fc.constant("completeAll" as const),
      actor: user,
      path: pathOf,
      completed: fc.boolean(),
    }),
    fc.record({ kind: fc.constant("clearCompleted" as const), actor: user, path: pathOf }),
    fc.record({
      kind: fc.constant("list" as const),
      actor: user,
      path: pathOf,
      status: fc.constantFrom("all" as const, "pending" as const, "completed" as const),
    }),
  )
  .map((generated) =>
    // -1 stands for "the actor's own path".
    generated.path === -1 ? { ...generated, path: generated.actor } : generated,
  );

let server: TestServer;
let users: TestUser[];
let operations = 0;
let failures = 0;

beforeAll(async () => {
  server = await createTestServer();
  users = [];
  for (let i = 0; i < USERS; i++) users.push(await server.signUp(`Model ${i}`));
});
afterAll(() => server.close());

/** Empties every user's tasks and trash through the API, so that each run starts from an empty model. */
async function emptyEveryone() {
  for (const owner of users) {
    await server.call("POST", `/api/${owner.id}/tasks/complete-all`, { token: owner.jwt });
    await server.call("DELETE", `/api/${owner.id}/tasks/completed`, { token: owner.jwt });
    await server.call("DELETE", `/api/${owner.id}/trash`, { token: owner.jwt });
  }
}

const etag = (id: number, version: number) => `"${id}-${version}"`;

/** Runs one operation against the server and checks the answer against the model, then updates it. */
async function step(model: Map<number, ModelTask>, known: Map<number, number>, o: Op) {
  operations += 1;
  const actor = users[o.actor] as TestUser;
  const pathUser = users[o.path] as TestUser;
  const base = `/api/${pathUser.id}/tasks`;
  const trashBase = `/api/${pathUser.id}/trash`;
  const send = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
    server.call(method, path, { token: actor.jwt, body, headers });
  const foreignPath = o.path !== o.actor;
  const expectStatus = (response: JsonResponse, status: number) => {
    if (response.status >= 500) failures += 1;
    expect(response.status, `${JSON.stringify(o)} → ${JSON.stringify(response.body)}`).toBe(status);
  };

  if (o.kind === "create") {
    const response = await send("POST", base, { title: o.title, completed: o.completed });
    if (foreignPath) return expectStatus(response, 403);
    expectStatus(response, 201);
    const task = response.body as TaskJson;
    expect(task).toMatchObject({ title: o.title, completed: o.completed, user_id: actor.id });
    model.set(task.id, {
      owner: o.actor,
      title: o.title,
      completed: o.completed,
      version: 1,
      trashed: false,
    });
    known.set(task.id, o.actor);
    return;
  }
  if (o.kind === "list") {
    const response = await send("GET", `${base}?status=${o.status}&limit=200`);
    if (foreignPath) return expectStatus(response, 403);
    expectStatus(response, 200);
    const expected = [...model.entries()]
      .filter(([, task]) => task.owner === o.actor && !task.trashed)
      .filter(([, task]) => o.status === "all" || task.completed === (o.status === "completed"))
      .map(([id, task]) => ({ id, title: task.title, completed: task.completed }));
    const seen = (response.body as TaskJson[]).map(({ id, title, completed }) => ({
      id,
      title,
      completed,
    }));
    expect(seen.sort((x, y) => x.id - y.id)).toEqual(expected.sort((x, y) => x.id - y.id));
    expect(response.headers.get("x-total-count")).toBe(String(expected.length));
    return;
  }
  if (o.kind === "trash" || o.kind === "emptyTrash") {
    const response =
      o.kind === "trash"
        ? await send("GET", `${trashBase}?limit=200`)
        : await send("DELETE", trashBase);
    if (foreignPath) return expectStatus(response, 403);
    expectStatus(response, 200);
    const trashed = [...model.entries()].filter(([, t]) => t.owner === o.actor && t.trashed);
    if (o.kind === "trash") {
      const seen = (response.body as TaskJson[]).map((t) => t.id).sort((x, y) => x - y);
      expect(seen).toEqual(trashed.map(([id]) => id).sort((x, y) => x - y));
    } else {
      expect(response.body).toEqual({ purged: trashed.length });
      for (const [id] of trashed) model.delete(id);
    }
    return;
  }
  if (o.kind === "completeAll" || o.kind === "clearCompleted") {
    const response =
      o.kind === "completeAll"
        ? await send("POST", `${base}/complete-all`, { completed: o.completed })
        : await send("DELETE", `${base}/completed`);
    if (foreignPath) return expectStatus(response, 403);
    expectStatus(response, 200);
    const mine = [...model.entries()].filter(([, task]) => task.owner === o.actor && !task.trashed);
    if (o.kind === "completeAll") {
      const changed = mine.filter(([, task]) => task.completed !== o.completed);
      expect(response.body).toEqual({ updated: changed.length });
      for (const [, task] of changed) {
        task.completed = o.completed;
        task.version += 1;
      }
    } else {
      const done = mine.filter(([, task]) => task.completed);
      expect(response.body).toEqual({ deleted: done.length });
      for (const [, task] of done) {
        task.trashed = true;
        task.version += 1;
      }
    }
    return;
  }

  // Operations on one task: any id ever seen (anyone's, live, trashed or purged) or one that never
  // existed.
  const candidates = [...known.keys(), NEVER_EXISTED];
  const id = candidates[o.target % candidates.length] as number;
  const task = model.get(id);
  const others = [...model.entries()].filter(([other]) => other !== id);
  const other = others[o.target % Math.max(1, others.length)];
  const headers: Record<string, string> = {};
  const version = task?.version ?? 1;
  if (o.ifMatch === "current") headers["If-Match"] = etag(id, version);
  if (o.ifMatch === "stale") headers["If-Match"] = etag(id, version + 7);
  if (o.ifMatch === "otherTask") {
    headers["If-Match"] = other ? etag(other[0], other[1].version) : etag(id, version + 3);
  }
  const path = `${base}/${id}`;
  if (o.kind === "history") {
    const response = await send("GET", `${path}/history`);
    if (foreignPath) return expectStatus(response, 403);
    // Readable for every task the user ever had, purged ones too.
    return expectStatus(response, known.get(id) === o.actor ? 200 : 404);
  }
  if (o.kind === "purge" || o.kind === "restore") {
    const response =
      o.kind === "purge"
        ? await send("DELETE", `${trashBase}/${id}`)
        : await send("POST", `${path}/restore`, undefined, headers);
    if (foreignPath) return expectStatus(response, 403);
    const owned = task !== undefined && task.owner === o.actor;
    if (o.kind === "purge") {
      if (!owned || !task.trashed) return expectStatus(response, 404);
      expectStatus(response, 204);
      model.delete(id);
      return;
    }
    if (!owned) return expectStatus(response, 404);
    if (task.trashed) {
      if (o.ifMatch === "stale" || o.ifMatch === "otherTask") return expectStatus(response, 412);
      task.trashed = false;
      task.version += 1;
    }
    // A live task is answered as it is, whatever If-Match says: the restore is already done.
    expectStatus(response, 200);
    expect(response.body).toMatchObject({ id, title: task.title, completed: task.completed });
    expect(response.headers.get("etag")).toBe(etag(id, task.version));
    return;
  }
  const response =
    o.kind === "get"
      ? await send("GET", path)
      : o.kind === "put"
        ? await send("PUT", path, { title: o.title }, headers)
        : o.kind === "toggle"
          ? await send("PATCH", `${path}/complete`, undefined, headers)
          : o.kind === "set"
            ? await send("PATCH", `${path}/complete`, { completed: o.completed }, headers)
            : await send("DELETE", path, undefined, headers);

  if (foreignPath) return expectStatus(response, 403);
  const mine = task !== undefined && task.owner === o.actor && !task.trashed;
  // Another user's task, a trashed or purged one and one that never existed all look the same.
  if (!mine) {
    expectStatus(response, 404);
    expect(response.headers.get("etag")).toBeNull();
    return;
  }
  if (o.kind === "get") {
    expectStatus(response, 200);
    expect(response.body).toMatchObject({ id, title: task.title, completed: task.completed });
    expect(response.headers.get("etag")).toBe(etag(id, task.version));
    return;
  }
  if (o.ifMatch === "stale" || o.ifMatch === "otherTask") return expectStatus(response, 412);
  if (o.kind === "delete") {
    expectStatus(response, 204);
    task.trashed = true;
    task.version += 1;
    return;
  }
  expectStatus(response, 200);
  if (o.kind === "put") task.title = o.title;
  if (o.kind === "toggle") task.completed = !task.completed;
  if (o.kind === "set") task.completed = o.completed;
  task.version += 1;
  expect(response.body).toMatchObject({ id, title: task.title, completed: task.completed });
  expect(response.headers.get("etag")).toBe(etag(id, task.version));
}

describe("isolation against a model", () => {
  it("random operations by three users on each other's paths and tasks match the model, and every user's list equals it at the end", async () => {
    const runs = attackRuns(40, 1500);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 40 }), async (ops) => {
        await emptyEveryone();
        const model = new Map<number, ModelTask>();
        const known = new Map<number, number>();
        for (const o of ops) await step(model, known, o);
        for (const [index, owner] of users.entries()) {
          const list = await server.call("GET", `/api/${owner.id}/tasks?limit=200`, {
            token: owner.jwt,
          });
          const expected = [...model.entries()].filter(
            ([, task]) => task.owner === index && !task.trashed,
          );
          expect((list.body as TaskJson[]).map((t) => t.id).sort()).toEqual(
            expected.map(([id]) => id).sort(),
          );
          const trash = await server.call("GET", `/api/${owner.id}/trash?limit=200`, {
            token: owner.jwt,
          });
          const trashed = [...model.entries()].filter(([, t]) => t.owner === index && t.trashed);
          expect((trash.body as TaskJson[]).map((t) => t.id).sort()).toEqual(
            trashed.map(([id]) => id).sort(),
          );
        }
      }),
      { numRuns: runs, endOnFailure: true },
    );
    expect(failures).toBe(0);
    reportAttackFigures("isolation-model", inject("testDatabase").kind, {
      runs,
      operations,
      serverErrors: failures,
      seconds: Math.round((Date.now() - started) / 1000),
    });
  }, 600_000);
});
