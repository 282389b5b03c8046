import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  user = await server.signUp();
});
afterAll(() => server.close());

const tasksPath = () => `/api/${user.id}/tasks`;

describe("POST /api/{user_id}/tasks", () => {
  it("creates a task with defaults and answers 201 with Location and ETag", async () => {
    const response = await server.call("POST", tasksPath(), {
      token: user.jwt,
      body: { title: "  Buy milk  " },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      user_id: user.id,
      title: "Buy milk",
      description: null,
      completed: false,
      completed_at: null,
      priority: "medium",
      tags: [],
      due_date: null,
    });
    expect(response.body.id).toBeGreaterThan(0);
    expect(Date.parse(response.body.created_at)).not.toBeNaN();
    expect(response.body.updated_at).toBe(response.body.created_at);
    expect(response.headers.get("location")).toBe(`${tasksPath()}/${response.body.id}`);
    expect(response.headers.get("etag")).toMatch(/^"\d+-1"$/);
    expect(Object.keys(response.body).sort()).toEqual([
      "completed",
      "completed_at",
      "created_at",
      "description",
      "due_date",
      "id",
      "priority",
      "tags",
      "title",
      "updated_at",
      "user_id",
      "version",
    ]);
    expect(response.body.version).toBe(1);
  });

  it("stores every optional field, and a task created completed gets completed_at", async () => {
    const response = await server.call("POST", tasksPath(), {
      token: user.jwt,
      body: {
        title: "File taxes",
        description: "Forms in the blue folder",
        priority: "high",
        tags: ["admin", "money"],
        due_date: "2026-12-01T09:30:00+01:00",
        completed: true,
      },
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({
      description: "Forms in the blue folder",
      priority: "high",
      tags: ["admin", "money"],
      due_date: "2026-12-01T08:30:00.000Z",
      completed: true,
    });
    expect(response.body.completed_at).toBe(response.body.created_at);
  });
});

describe("GET /api/{user_id}/tasks/{id}", () => {
  it("returns the task with its ETag, and 304 for a matching If-None-Match", async () => {
    const created = await server.createTask(user, { title: "Read" });
    const response = await server.call("GET", `${tasksPath()}/${created.id}`, { token: user.jwt });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(created);
    const etag = response.headers.get("etag");
    expect(etag).toBeTruthy();

    const again = await server.call("GET", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-None-Match": `W/${etag}` },
    });
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();

    const stale = await server.call("GET", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-None-Match": '"0-0"' },
    });
    expect(stale.status).toBe(200);
  });
});

describe("PUT /api/{user_id}/tasks/{id}", () => {
  it("changes only the fields sent and bumps updated_at and the ETag", async () => {
    const created = await server.createTask(user, { title: "Draft", tags: ["a"], priority: "low" });
    const response = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      body: { title: "Final", description: "now with text" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      title: "Final",
      description: "now with text",
      tags: ["a"],
      priority: "low",
    });
    expect(Date.parse(response.body.updated_at)).toBeGreaterThanOrEqual(
      Date.parse(created.updated_at),
    );
    expect(response.headers.get("etag")).toBe(`"${created.id}-2"`);
  });

  it("clears nullable fields with null and sets completed_at when completing", async () => {
    const created = await server.createTask(user, {
      description: "x",
      due_date: "2027-01-01T00:00:00Z",
    });
    const response = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      body: { description: null, due_date: null, completed: true, tags: [] },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      description: null,
      due_date: null,
      completed: true,
      tags: [],
    });
    expect(response.body.completed_at).not.toBeNull();

    const reopened = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      body: { completed: false },
    });
    expect(reopened.body).toMatchObject({ completed: false, completed_at: null });
  });

  it("keeps tags verbatim, array syntax and all, on create and on update", async () => {
    const awkward = ["a,b", 'say "hi"', "{braces}", "back\\slash", "NULL"];
    const created = await server.createTask(user, { tags: awkward.slice(0, 3) });
    expect(created.tags).toEqual(awkward.slice(0, 3));
    const response = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      body: { tags: awkward },
    });
    expect(response.status).toBe(200);
    expect(response.body.tags).toEqual(awkward);
    const read = await server.call("GET", `${tasksPath()}/${created.id}`, { token: user.jwt });
    expect(read.body.tags).toEqual(awkward);
  });

  it("keeps completed_at when a completed task is completed again", async () => {
    const created = await server.createTask(user, { completed: true });
    expect(created.completed_at).not.toBeNull();
    const again = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      body: { completed: true, title: "renamed" },
    });
    expect(again.body).toMatchObject({ completed: true, completed_at: created.completed_at });
  });

  it("accepts If-Match listing several ETags when one is current", async () => {
    const created = await server.createTask(user, { title: "v1" });
    const response = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": `"${created.id}-7", "${created.id}-1", W/"${created.id}-1"` },
      body: { title: "v2" },
    });
    expect(response.status).toBe(200);
    const stale = await server.call("DELETE", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": `"${created.id}-1", "${created.id}-3"` },
    });
    expect(stale.status).toBe(412);
  });

  it("honours If-Match: the current ETag writes, a stale one is 412 and changes nothing", async () => {
    const created = await server.createTask(user, { title: "v1" });
    const read = await server.call("GET", `${tasksPath()}/${created.id}`, { token: user.jwt });
    const etag = read.headers.get("etag") ?? "";

    const first = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": etag },
      body: { title: "v2" },
    });
    expect(first.status).toBe(200);

    const second = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": etag },
      body: { title: "v3 from a stale copy" },
    });
    expect(second.status).toBe(412);
    expect(second.headers.get("content-type")).toBe("application/problem+json");
    const now = await server.call("GET", `${tasksPath()}/${created.id}`, { token: user.jwt });
    expect(now.body.title).toBe("v2");

    const star = await server.call("PUT", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": "*" },
      body: { title: "v3" },
    });
    expect(star.status).toBe(200);
  });
});

describe("PATCH /api/{user_id}/tasks/{id}/complete", () => {
  it("toggles with no body and sets with { completed }", async () => {
    const created = await server.createTask(user);
    const path = `${tasksPath()}/${created.id}/complete`;

    const on = await server.call("PATCH", path, { token: user.jwt });
    expect(on.status).toBe(200);
    expect(on.body.completed).toBe(true);
    expect(on.body.completed_at).not.toBeNull();

    const off = await server.call("PATCH", path, { token: user.jwt });
    expect(off.body).toMatchObject({ completed: false, completed_at: null });

    const set = await server.call("PATCH", path, { token: user.jwt, body: { completed: true } });
    expect(set.body.completed).toBe(true);
    const setAgain = await server.call("PATCH", path, {
      token: user.jwt,
      body: { completed: true },
    });
    expect(setAgain.body.completed).toBe(true);
    expect(setAgain.body.completed_at).toBe(set.body.completed_at);
  });

  it("loses no toggle when many arrive at once", async () => {
    const created = await server.createTask(user);
    const path = `${tasksPath()}/${created.id}/complete`;
    await Promise.all(
      Array.from({ length: 6 }, () => server.call("PATCH", path, { token: user.jwt })),
    );
    const after = await server.call("GET", `${tasksPath()}/${created.id}`, { token: user.jwt });
    expect(after.body.completed).toBe(false);
    expect(after.headers.get("etag")).toBe(`"${created.id}-7"`);
  });
});

describe("DELETE /api/{user_id}/tasks/{id}", () => {
  it("deletes with 204, after which the task is 404", async () => {
    const created = await server.createTask(user);
    const response = await server.call("DELETE", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
    });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    const gone = await server.call("GET", `${tasksPath()}/${created.id}`, { token: user.jwt });
    expect(gone.status).toBe(404);
    const twice = await server.call("DELETE", `${tasksPath()}/${created.id}`, { token: user.jwt });
    expect(twice.status).toBe(404);
  });

  it("honours If-Match", async () => {
    const created = await server.createTask(user);
    const stale = await server.call("DELETE", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": `"${created.id}-99"` },
    });
    expect(stale.status).toBe(412);
    const fresh = await server.call("DELETE", `${tasksPath()}/${created.id}`, {
      token: user.jwt,
      headers: { "If-Match": `"${created.id}-1"` },
    });
    expect(fresh.status).toBe(204);
  });
});

describe("bulk routes", () => {
  it("complete-all completes every pending task, and clear completed deletes them", async () => {
    const other = await server.signUp();
    const mine = await Promise.all([1, 2, 3].map(() => server.createTask(other)));
    await server.call("PATCH", `/api/${other.id}/tasks/${mine[0].id}/complete`, {
      token: other.jwt,
    });

    const completed = await server.call("POST", `/api/${other.id}/tasks/complete-all`, {
      token: other.jwt,
    });
    expect(completed.status).toBe(200);
    expect(completed.body).toEqual({ updated: 2 });

    const reopened = await server.call("POST", `/api/${other.id}/tasks/complete-all`, {
      token: other.jwt,
      body: { completed: false },
    });
    expect(reopened.body).toEqual({ updated: 3 });

    await server.call("PATCH", `/api/${other.id}/tasks/${mine[1].id}/complete`, {
      token: other.jwt,
    });
    const cleared = await server.call("DELETE", `/api/${other.id}/tasks/completed`, {
      token: other.jwt,
    });
    expect(cleared.status).toBe(200);
    expect(cleared.body).toEqual({ deleted: 1 });
    const left = await server.call("GET", `/api/${other.id}/tasks`, { token: other.jwt });
    expect(left.body.map((task: { id: number }) => task.id).sort()).toEqual(
      [mine[0].id, mine[2].id].sort(),
    );
  });
});

describe("optional bodies", () => {
  it("an empty body with a JSON content type still means 'no body' for toggle and complete-all", async () => {
    const created = await server.createTask(user);
    const toggled = await server.call("PATCH", `${tasksPath()}/${created.id}/complete`, {
      token: user.jwt,
      headers: { "Content-Type": "application/json" },
      body: "",
    });
    expect(toggled.status).toBe(200);
    expect(toggled.body.completed).toBe(true);

    const all = await server.call("POST", `${tasksPath()}/complete-all`, {
      token: user.jwt,
      headers: { "Content-Type": "application/json" },
      body: " ",
    });
    expect(all.status).toBe(200);
    expect(all.body.updated).toBeGreaterThanOrEqual(0);
  });
});
