import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteExpiredKeys } from "../../src/idempotency/idempotency-records";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// Idempotency-Key (decision 037) on the routes that have it: create, complete-all,
// clear-completed, restore and empty trash. The replicas, a killed process and real HTTP are in test/process/.

let server: TestServer;
let alice: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  alice = await server.signUp();
});
afterAll(() => server.close());

const tasksOf = (user: TestUser) => `/api/${user.id}/tasks`;

function create(user: TestUser, key: string | undefined, body: unknown = { title: "Buy milk" }) {
  return server.call("POST", tasksOf(user), {
    token: user.jwt,
    body,
    headers: key === undefined ? {} : { "Idempotency-Key": key },
  });
}

/** Every task of a user with this title, straight from the database. */
async function countTitled(user: TestUser, title: string): Promise<number> {
  const result = await server.database.db.execute<{ n: number }>(
    sql`select count(*)::int as n from tasks where user_id = ${user.id} and title = ${title}`,
  );
  return result.rows[0]?.n ?? -1;
}

async function keyRow(user: TestUser, key: string) {
  const result = await server.database.db.execute<{ status: number | null }>(
    sql`select status from idempotency_keys where user_id = ${user.id} and key = ${key}`,
  );
  return result.rows[0];
}

const runSql = (query: ReturnType<typeof sql>) => server.database.db.execute(query);

/** Plain SQL statements one by one (PGlite prepares each query: one statement at a time). */
async function runStatements(...statements: string[]) {
  for (const statement of statements) await runSql(sql.raw(statement));
}

describe("a retry with the same Idempotency-Key", () => {
  it("replays the first answer (status, body, ETag, Location, type) and creates one task", async () => {
    const key = randomUUID();
    const title = `Once ${key}`;
    const first = await create(alice, key, { title });
    const retry = await create(alice, key, { title });

    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    for (const header of ["etag", "location", "content-type"]) {
      expect(retry.headers.get(header), header).toBe(first.headers.get(header));
    }
    expect(retry.headers.get("location")).toBe(`${tasksOf(alice)}/${first.body.id}`);
    expect(await countTitled(alice, title)).toBe(1);
  });

  it("without the header, the same body creates a task each time (nothing changes)", async () => {
    const title = `Twice ${randomUUID()}`;
    expect((await create(alice, undefined, { title })).status).toBe(201);
    expect((await create(alice, undefined, { title })).status).toBe(201);
    expect(await countTitled(alice, title)).toBe(2);
  });

  it("with another body, or on another route, is a 422 and changes nothing", async () => {
    const key = randomUUID();
    const title = `First ${key}`;
    expect((await create(alice, key, { title })).status).toBe(201);

    const otherBody = await create(alice, key, { title: `Second ${key}` });
    expect(otherBody.status).toBe(422);
    expect(otherBody.headers.get("content-type")).toBe("application/problem+json");
    expect(otherBody.body.detail).toMatch(/Idempotency-Key/);
    const otherRoute = await server.call("POST", `${tasksOf(alice)}/complete-all`, {
      token: alice.jwt,
      headers: { "Idempotency-Key": key },
    });
    expect(otherRoute.status).toBe(422);
    expect(await countTitled(alice, `Second ${key}`)).toBe(0);
    expect(await countTitled(alice, title)).toBe(1);
  });

  it("at the same moment as the first gets 409 or the replay, and never a second task", async () => {
    const key = randomUUID();
    const title = `Racing ${key}`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => create(alice, key, { title })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(
      statuses.every((status) => status === 201 || status === 409),
      statuses.join(),
    ).toBe(true);
    const firsts = answers.filter(
      (answer) => answer.status === 201 && !answer.headers.get("idempotent-replayed"),
    );
    expect(firsts).toHaveLength(1);
    for (const answer of answers.filter((each) => each.status === 201)) {
      expect(answer.body.id).toBe(firsts[0]?.body.id);
    }
    expect(await countTitled(alice, title)).toBe(1);
  });

  it("is a 409 with Retry-After while the first still runs, and runs once its lease has lapsed", async () => {
    const key = randomUUID();
    const title = `Leased ${key}`;
    // The claim of a first request that is running, or whose process died before it committed.
    expect((await create(alice, key, { title })).status).toBe(201);
    await runSql(sql`
      update idempotency_keys set status = null, headers = null, body = null,
        locked_until = now() + interval '10 seconds'
      where user_id = ${alice.id} and key = ${key}`);
    await runSql(sql`delete from tasks where user_id = ${alice.id} and title = ${title}`);

    const running = await create(alice, key, { title });
    expect(running.status).toBe(409);
    expect(running.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(running.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await countTitled(alice, title)).toBe(0);

    // A lapsed lease without an answer means that request was rolled back: a retry may run.
    await runSql(sql`
      update idempotency_keys set locked_until = now() - interval '1 second'
      where user_id = ${alice.id} and key = ${key}`);
    expect((await create(alice, key, { title: `Not the same ${key}` })).status).toBe(422);
    const retaken = await create(alice, key, { title });
    expect(retaken.status).toBe(201);
    expect(retaken.headers.get("idempotent-replayed")).toBeNull();
    const replayed = await create(alice, key, { title });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.body.id).toBe(retaken.body.id);
    expect(await countTitled(alice, title)).toBe(1);
  });

  it("from another user is that user's own key: they get their own task", async () => {
    const bob = await server.signUp("Bob");
    const key = randomUUID();
    const mine = await create(alice, key, { title: "Alice's" });
    const theirs = await create(bob, key, { title: "Bob's" });
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(theirs.body).toMatchObject({ user_id: bob.id, title: "Bob's" });
    expect(theirs.body.id).not.toBe(mine.body.id);
    const again = await create(alice, key, { title: "Alice's" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(mine.body);
  });
});

describe("what is kept", () => {
  it("a 4xx answer is kept and replayed", async () => {
    const key = randomUUID();
    const first = await create(alice, key, { title: "" });
    expect(first.status).toBe(422);
    const retry = await create(alice, key, { title: "" });
    expect(retry.status).toBe(422);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("content-type")).toBe("application/problem+json");
    expect(retry.body).toEqual(first.body);
  });

  it("a 5xx answer is rolled back and not kept: the retry runs again", async () => {
    const key = randomUUID();
    const title = `Unlucky ${key}`;
    // A fault after the insert, inside the request's transaction: the insert must not survive it.
    await runStatements(
      `create function fail_once() returns trigger language plpgsql as $$
       begin raise exception 'injected fault'; end $$`,
      `create trigger fail_once after insert on tasks for each row
       when (new.title like 'Unlucky %') execute function fail_once()`,
    );
    try {
      const failed = await create(alice, key, { title });
      expect(failed.status).toBe(500);
      expect(failed.headers.get("etag")).toBeNull();
      expect(await keyRow(alice, key)).toBeUndefined();
      expect(await countTitled(alice, title)).toBe(0);
    } finally {
      await runStatements("drop trigger fail_once on tasks", "drop function fail_once()");
    }
    const retry = await create(alice, key, { title });
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await countTitled(alice, title)).toBe(1);
  });

  it("an answer whose claim was taken over is not kept, and its write is rolled back", async () => {
    const key = randomUUID();
    const title = `Overtaken ${key}`;
    // Stands for a retry retaking the claim after its lease while this request still ran: the
    // row changes under the request, which must then not record its answer nor keep its write.
    await runStatements(
      `create function take_over() returns trigger language plpgsql as $$
       begin update idempotency_keys set locked_until = locked_until
         where user_id = new.user_id and status is null;
       return null; end $$`,
      `create trigger take_over after insert on tasks for each row
       when (new.title like 'Overtaken %') execute function take_over()`,
    );
    try {
      const lost = await create(alice, key, { title });
      expect(lost.status).toBe(409);
      expect(lost.headers.get("etag")).toBeNull();
      expect(lost.headers.get("location")).toBeNull();
      expect(await countTitled(alice, title)).toBe(0);
    } finally {
      await runStatements("drop trigger take_over on tasks", "drop function take_over()");
    }
  });

  it("a key is forgotten after 24 hours: then it may name a new request", async () => {
    const key = randomUUID();
    expect((await create(alice, key, { title: `Old ${key}` })).status).toBe(201);
    await runSql(sql`
      update idempotency_keys set created_at = now() - interval '24 hours 1 second'
      where user_id = ${alice.id} and key = ${key}`);
    const reused = await create(alice, key, { title: `New ${key}` });
    expect(reused.status).toBe(201);
    expect(reused.headers.get("idempotent-replayed")).toBeNull();
    expect(await countTitled(alice, `New ${key}`)).toBe(1);
  });

  it("the clean-up deletes expired keys and only those", async () => {
    const [fresh, stale] = [randomUUID(), randomUUID()];
    await create(alice, fresh, { title: "Fresh" });
    await create(alice, stale, { title: "Stale" });
    await runSql(sql`
      update idempotency_keys set created_at = now() - interval '25 hours'
      where user_id = ${alice.id} and key = ${stale}`);
    expect(await deleteExpiredKeys(server.database.db)).toBeGreaterThanOrEqual(1);
    expect(await keyRow(alice, stale)).toBeUndefined();
    expect(await keyRow(alice, fresh)).toEqual({ status: 201 });
  });
});

describe("the key itself", () => {
  it.each([
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["a tab", "a\tb"],
    ["a non-ASCII letter", "caf\u00e9"],
  ])("is refused with a 422 problem when %s", async (_, key) => {
    const title = `Refused ${randomUUID()}`;
    const answer = await create(alice, key, { title });
    expect(answer.status).toBe(422);
    expect(answer.headers.get("content-type")).toBe("application/problem+json");
    expect(answer.body.errors).toEqual([
      { path: "header.idempotency-key", message: expect.stringMatching(/printable ASCII/) },
    ]);
    expect(await countTitled(alice, title)).toBe(0);
  });

  it("may be 255 printable ASCII characters, spaces and symbols included", async () => {
    const key = `${" !~".repeat(84)}abc`;
    expect(key).toHaveLength(255);
    const title = `Long key ${randomUUID()}`;
    expect((await create(alice, key, { title })).status).toBe(201);
    expect((await create(alice, key, { title })).headers.get("idempotent-replayed")).toBe("true");
    expect(await countTitled(alice, title)).toBe(1);
  });
});

describe("the bulk routes", () => {
  it("complete-all replayed changes nothing: a task added since stays pending", async () => {
    const user = await server.signUp();
    await server.createTask(user);
    await server.createTask(user);
    const key = randomUUID();
    const completeAll = () =>
      server.call("POST", `${tasksOf(user)}/complete-all`, {
        token: user.jwt,
        headers: { "Idempotency-Key": key },
      });
    const first = await completeAll();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ updated: 2 });
    const later = await server.createTask(user);
    const retry = await completeAll();
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual({ updated: 2 });
    const task = await server.call("GET", `${tasksOf(user)}/${later.id}`, { token: user.jwt });
    expect(task.body.completed).toBe(false);
  });

  it("clear-completed replayed changes nothing: a task completed since stays", async () => {
    const user = await server.signUp();
    await server.createTask(user, { completed: true });
    const key = randomUUID();
    const clear = () =>
      server.call("DELETE", `${tasksOf(user)}/completed`, {
        token: user.jwt,
        headers: { "Idempotency-Key": key },
      });
    const first = await clear();
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ deleted: 1 });
    const later = await server.createTask(user, { completed: true });
    const retry = await clear();
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual({ deleted: 1 });
    const task = await server.call("GET", `${tasksOf(user)}/${later.id}`, { token: user.jwt });
    expect(task.status).toBe(200);
  });
});

describe("the trash routes", () => {
  it("restore replayed answers the first restore, even after the task went back to the trash", async () => {
    const user = await server.signUp();
    const task = await server.createTask(user);
    await server.call("DELETE", `${tasksOf(user)}/${task.id}`, { token: user.jwt });
    const key = randomUUID();
    const restore = () =>
      server.call("POST", `${tasksOf(user)}/${task.id}/restore`, {
        token: user.jwt,
        headers: { "Idempotency-Key": key },
      });
    const first = await restore();
    expect(first.status).toBe(200);
    expect(first.body.version).toBe(3);
    await server.call("DELETE", `${tasksOf(user)}/${task.id}`, { token: user.jwt });
    const retry = await restore();
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get("etag")).toBe(first.headers.get("etag"));
    // The retry changed nothing: the task is still in the trash.
    const read = await server.call("GET", `${tasksOf(user)}/${task.id}`, { token: user.jwt });
    expect(read.status).toBe(404);
  });

  it("empty trash replayed changes nothing: a task trashed since stays in the trash", async () => {
    const user = await server.signUp();
    const first = await server.createTask(user);
    await server.call("DELETE", `${tasksOf(user)}/${first.id}`, { token: user.jwt });
    const key = randomUUID();
    const empty = () =>
      server.call("DELETE", `/api/${user.id}/trash`, {
        token: user.jwt,
        headers: { "Idempotency-Key": key },
      });
    expect((await empty()).body).toEqual({ purged: 1 });
    const later = await server.createTask(user);
    await server.call("DELETE", `${tasksOf(user)}/${later.id}`, { token: user.jwt });
    const retry = await empty();
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.body).toEqual({ purged: 1 });
    const trash = await server.call("GET", `/api/${user.id}/trash`, { token: user.jwt });
    expect(trash.body.map((t: { id: number }) => t.id)).toEqual([later.id]);
  });
});

describe("the OpenAPI document", () => {
  it("describes the header, the replay and the 409 and 422 answers on each idempotent route", async () => {
    const doc = (await server.request("/openapi.json")).body;
    const operations = [
      doc.paths["/api/{user_id}/tasks"].post,
      doc.paths["/api/{user_id}/tasks/complete-all"].post,
      doc.paths["/api/{user_id}/tasks/completed"].delete,
      doc.paths["/api/{user_id}/tasks/{id}/restore"].post,
      doc.paths["/api/{user_id}/trash"].delete,
    ];
    for (const operation of operations) {
      expect(operation.parameters).toContainEqual(
        expect.objectContaining({ in: "header", name: "Idempotency-Key" }),
      );
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["409", "422"]));
      const success = operation.responses["201"] ?? operation.responses["200"];
      expect(Object.keys(success.headers)).toContain("Idempotent-Replayed");
    }
  });
});
