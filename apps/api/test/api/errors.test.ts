import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usePostgres } from "../../src/db/client";
import { loadConfig } from "../../src/env";
import { createServer } from "../../src/server";
import {
  expectNoLeak,
  expectProblem,
  fieldErrors,
  problemShape,
  type TaskJson,
} from "../support/problems";
import {
  createTestServer,
  type JsonResponse,
  TEST_BASE_URL,
  TEST_SECRET,
  type TestServer,
  type TestUser,
} from "../support/test-server";

// One test per row of DESIGN.md's error table (400 401 403 404 412 413 415 422 429 503), plus the
// rule behind all of them: an error is a problem+json with a request id, and never shows a stack,
// SQL or a driver message, not even when something breaks (500).

let server: TestServer;
let user: TestUser;
let other: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  [user, other] = await Promise.all([server.signUp("Erin"), server.signUp("Frank")]);
});
afterAll(() => server.close());

const tasksPath = () => `/api/${user.id}/tasks`;
const NEVER_EXISTED = 2_147_483_647;

async function read(id: number) {
  const response = await server.call("GET", `${tasksPath()}/${id}`, { token: user.jwt });
  expect(response.status).toBe(200);
  return { body: response.body as TaskJson, etag: response.headers.get("etag") };
}

async function count(owner: TestUser = user): Promise<string | null> {
  const response = await server.call("GET", `/api/${owner.id}/tasks?limit=1`, { token: owner.jwt });
  expect(response.status).toBe(200);
  return response.headers.get("x-total-count");
}

/** Sends a body with exactly these headers (fetch adds a text/plain type only to a string body). */
function raw(
  method: string,
  path: string,
  body: string | Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string> = {},
) {
  return server.request(path, {
    method,
    headers: { Authorization: `Bearer ${user.jwt}`, ...headers },
    body,
    // Node needs this for a streamed request body.
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
}

const cursorOf = (wire: unknown) => Buffer.from(JSON.stringify(wire)).toString("base64url");

describe("400 unparseable JSON", () => {
  it("on POST, PUT, PATCH complete and complete-all; nothing is written", async () => {
    const task = await server.createTask(user, { title: "before" });
    const before = await read(task.id);
    const total = await count();
    const cases: [string, string, string][] = [
      ["POST", tasksPath(), '{"title": "unterminated'],
      ["POST", tasksPath(), "{title: 'single quotes'}"],
      ["POST", tasksPath(), '{"title": "x",}'],
      ["POST", tasksPath(), ""],
      ["PUT", `${tasksPath()}/${task.id}`, '{"title": '],
      ["PUT", `${tasksPath()}/${task.id}`, "not json at all"],
      ["PATCH", `${tasksPath()}/${task.id}/complete`, "{"],
      ["POST", `${tasksPath()}/complete-all`, "{completed: true}"],
    ];
    for (const [method, path, body] of cases) {
      const response = await server.call(method, path, { token: user.jwt, body });
      expectProblem(response, 400);
      expect(response.body.errors).toBeUndefined();
    }
    expect(await read(task.id)).toEqual(before);
    expect(await count()).toBe(total);
  });
});

describe("401 missing token", () => {
  it("answers with WWW-Authenticate: Bearer on every task route", async () => {
    const task = await server.createTask(user);
    const cases: [string, string, Record<string, string>][] = [
      ["GET", tasksPath(), {}],
      ["POST", tasksPath(), {}],
      ["GET", `${tasksPath()}/${task.id}`, {}],
      ["PUT", `${tasksPath()}/${task.id}`, {}],
      ["DELETE", `${tasksPath()}/${task.id}`, {}],
      ["PATCH", `${tasksPath()}/${task.id}/complete`, {}],
      ["POST", `${tasksPath()}/complete-all`, {}],
      ["DELETE", `${tasksPath()}/completed`, {}],
      ["GET", tasksPath(), { Authorization: "" }],
      ["GET", tasksPath(), { Authorization: "Bearer" }],
      ["GET", tasksPath(), { Authorization: "Bearer " }],
      ["GET", tasksPath(), { Authorization: `Basic ${Buffer.from("a:b").toString("base64")}` }],
      ["GET", tasksPath(), { Authorization: "Bearer not-a-jwt" }],
      ["GET", tasksPath(), { Authorization: user.jwt }],
      ["GET", tasksPath(), { Authorization: `Bearer ${user.sessionToken}` }],
    ];
    for (const [method, path, headers] of cases) {
      const response = await server.call(method, path, { headers });
      expectProblem(response, 401);
      expect(response.headers.get("www-authenticate"), `${method} ${path}`).toMatch(/^Bearer\b/);
    }
    expect((await read(task.id)).body).toEqual(task);
  });

  it("comes before validation: a bad body, id or query without a token is still 401", async () => {
    for (const [method, path, body] of [
      ["POST", tasksPath(), "{"],
      ["POST", tasksPath(), { title: "" }],
      ["GET", `${tasksPath()}?limit=0`, undefined],
      ["GET", `${tasksPath()}/abc`, undefined],
    ] as [string, string, unknown][]) {
      expectProblem(await server.call(method, path, { body }), 401);
    }
  });
});

describe("403 another user's path", () => {
  it("answers a valid token on another user's path with 403", async () => {
    const theirs = await server.createTask(other);
    for (const [method, path, body] of [
      ["GET", `/api/${other.id}/tasks`, undefined],
      ["POST", `/api/${other.id}/tasks`, { title: "x" }],
      ["GET", `/api/${other.id}/tasks/${theirs.id}`, undefined],
      ["PUT", `/api/${other.id}/tasks/${theirs.id}`, { title: "x" }],
      ["DELETE", `/api/${other.id}/tasks/${theirs.id}`, undefined],
      ["PATCH", `/api/${other.id}/tasks/${theirs.id}/complete`, undefined],
      ["POST", `/api/${other.id}/tasks/complete-all`, undefined],
      ["DELETE", `/api/${other.id}/tasks/completed`, undefined],
    ] as [string, string, unknown][]) {
      const response = await server.call(method, path, { token: user.jwt, body });
      expectProblem(response, 403);
      expect(response.headers.get("www-authenticate")).toBeNull();
    }
    const after = await server.call("GET", `/api/${other.id}/tasks/${theirs.id}`, {
      token: other.jwt,
    });
    expect(after.body).toEqual(theirs);
  });
});

describe("404", () => {
  it("for unknown routes, as problem+json", async () => {
    const cases: [string, string][] = [
      ["GET", "/api/nope"],
      ["PUT", "/api/auth/sign-up/email"],
      ["GET", "/nope"],
      ["POST", "/nope"],
      ["GET", "/api"],
      ["GET", "/api/"],
      ["DELETE", "/api/nope/deeper"],
      ["GET", `/api/${user.id}`],
      ["GET", `/api/${user.id}/task`],
      ["GET", `/api/${user.id}/tasks/1/nope`],
      ["GET", `/api/${user.id}/tasks/1/complete`],
      ["PATCH", tasksPath()],
      ["DELETE", tasksPath()],
      ["POST", `${tasksPath()}/1`],
    ];
    for (const [method, path] of cases) {
      const response = await server.call(method, path, { token: user.jwt });
      expectProblem(response, 404);
    }
  });

  it("for unknown routes under /api/auth/ too (Better Auth's own 404 is an empty body)", async () => {
    for (const [method, path] of [
      ["GET", "/api/auth/nope"],
      ["POST", "/api/auth/nope"],
      ["GET", "/api/auth/sign-up/email/extra"],
    ] as [string, string][]) {
      const response = await server.call(method, path, { headers: { Origin: TEST_BASE_URL } });
      expect(response.status, `${method} ${path}`).toBe(404);
      expectProblem(response, 404);
    }
  });

  it("for a task id that is not a positive integer, exactly like a missing task", async () => {
    const missing = await server.call("GET", `${tasksPath()}/${NEVER_EXISTED}`, {
      token: user.jwt,
    });
    expectProblem(missing, 404);
    const badIds = [
      "abc",
      "0",
      "-1",
      "1.5",
      "01",
      "00",
      "99999999999",
      "2147483648",
      "1e3",
      "0x10",
      "+1",
      "%201",
      "1%20",
      "１",
      "NaN",
      "Infinity",
    ];
    for (const id of badIds) {
      for (const [method, suffix, body] of [
        ["GET", "", undefined],
        ["PUT", "", { title: "x" }],
        ["DELETE", "", undefined],
        ["PATCH", "/complete", undefined],
      ] as [string, string, unknown][]) {
        const response = await server.call(method, `${tasksPath()}/${id}${suffix}`, {
          token: user.jwt,
          body,
        });
        expectProblem(response, 404);
        const reference = await server.call(method, `${tasksPath()}/${NEVER_EXISTED}${suffix}`, {
          token: user.jwt,
          body,
        });
        expect(problemShape(response), `${method} id ${id}${suffix}`).toEqual(
          problemShape(reference),
        );
      }
    }
  });

  it("for a missing or deleted task on every per-task route", async () => {
    const task = await server.createTask(user);
    expect(
      (await server.call("DELETE", `${tasksPath()}/${task.id}`, { token: user.jwt })).status,
    ).toBe(204);
    for (const id of [task.id, NEVER_EXISTED]) {
      for (const [method, suffix, body] of [
        ["GET", "", undefined],
        ["PUT", "", { title: "x" }],
        ["DELETE", "", undefined],
        ["PATCH", "/complete", undefined],
        ["PATCH", "/complete", { completed: true }],
      ] as [string, string, unknown][]) {
        expectProblem(
          await server.call(method, `${tasksPath()}/${id}${suffix}`, { token: user.jwt, body }),
          404,
        );
      }
    }
  });
});

describe("412 stale If-Match", () => {
  it("on PUT, DELETE and PATCH complete, changing nothing", async () => {
    const task = await server.createTask(user, { title: "v1" });
    const first = await read(task.id);
    await server.call("PUT", `${tasksPath()}/${task.id}`, {
      token: user.jwt,
      body: { title: "v2" },
    });
    const current = await read(task.id);
    const stale = first.etag ?? "";
    const otherTask = await server.createTask(user);
    const staleHeaders = [
      stale,
      `W/${current.etag}`,
      `"${task.id}-99"`,
      `"${otherTask.id}-1"`,
      '"garbage"',
      `${stale}, "${task.id}-7"`,
    ];
    for (const ifMatch of staleHeaders) {
      for (const [method, suffix, body] of [
        ["PUT", "", { title: "from a stale copy" }],
        ["DELETE", "", undefined],
        ["PATCH", "/complete", undefined],
        ["PATCH", "/complete", { completed: true }],
      ] as [string, string, unknown][]) {
        const response = await server.call(method, `${tasksPath()}/${task.id}${suffix}`, {
          token: user.jwt,
          body,
          headers: { "If-Match": ifMatch },
        });
        expectProblem(response, 412);
      }
    }
    expect(await read(task.id)).toEqual(current);

    // The current ETag among others still writes: the 412s above were about the tag, not the route.
    const fresh = await server.call("PATCH", `${tasksPath()}/${task.id}/complete`, {
      token: user.jwt,
      headers: { "If-Match": `${stale}, ${current.etag}` },
    });
    expect(fresh.status).toBe(200);
  });

  it("for a version number too large for the database (412, not 500)", async () => {
    const task = await server.createTask(user);
    const wrong: string[] = [];
    for (const version of ["2147483648", "99999999999999", "123456789012345678901234567890"]) {
      for (const [method, suffix, body] of [
        ["PUT", "", { title: "x" }],
        ["DELETE", "", undefined],
        ["PATCH", "/complete", undefined],
      ] as [string, string, unknown][]) {
        const response = await server.call(method, `${tasksPath()}/${task.id}${suffix}`, {
          token: user.jwt,
          body,
          headers: { "If-Match": `"${task.id}-${version}"` },
        });
        expectNoLeak(response);
        if (response.status !== 412)
          wrong.push(`${method}${suffix} v${version}: ${response.status}`);
      }
    }
    expect(wrong.join("\n")).toBe("");
    expect((await read(task.id)).body).toEqual(task);
  });
});

describe("413 body over 64 KiB", () => {
  const big = () => JSON.stringify({ title: "big", description: "d".repeat(70 * 1024) });

  it("with a Content-Length header, on POST, PUT, PATCH, complete-all and sign-up", async () => {
    const task = await server.createTask(user);
    const total = await count();
    const body = big();
    const length = String(Buffer.byteLength(body));
    const cases: [string, string][] = [
      ["POST", tasksPath()],
      ["PUT", `${tasksPath()}/${task.id}`],
      ["PATCH", `${tasksPath()}/${task.id}/complete`],
      ["POST", `${tasksPath()}/complete-all`],
      ["POST", "/api/auth/sign-up/email"],
    ];
    for (const [method, path] of cases) {
      const response = await raw(method, path, body, {
        "Content-Type": "application/json",
        "Content-Length": length,
        Origin: TEST_BASE_URL,
      });
      expectProblem(response, 413);
    }
    expect(await count()).toBe(total);
    expect((await read(task.id)).body).toEqual(task);
  });

  it("without a Content-Length (a streamed, chunked body)", async () => {
    const total = Number(await count());
    const chunk = new TextEncoder().encode(big());
    const stream = () =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          for (let offset = 0; offset < chunk.length; offset += 8 * 1024) {
            controller.enqueue(chunk.subarray(offset, offset + 8 * 1024));
          }
          controller.close();
        },
      });
    const task = await server.createTask(user);
    for (const [method, path] of [
      ["POST", tasksPath()],
      ["PUT", `${tasksPath()}/${task.id}`],
    ] as [string, string][]) {
      const response = await raw(method, path, stream(), { "Content-Type": "application/json" });
      expect(response.status).toBe(413);
      expectProblem(response, 413);
    }
    expect(await count()).toBe(String(total + 1));
    expect((await read(task.id)).body).toEqual(task);
  });

  it("but a body just under the limit is read (and judged on its fields)", async () => {
    const body = JSON.stringify({ title: "fits", description: "d".repeat(60 * 1024) });
    const response = await raw("POST", tasksPath(), body, { "Content-Type": "application/json" });
    // Under 64 KiB, so not a 413: the 1000-character description rule answers instead.
    expect(fieldErrors(response)).toHaveProperty("description");
  });
});

describe("415 a body that is not JSON", () => {
  it("with Content-Type text/plain, a form type, or no Content-Type at all; nothing written", async () => {
    const task = await server.createTask(user, { title: "keep" });
    const before = await read(task.id);
    const total = await count();
    const json = JSON.stringify({ title: "sneaky", completed: true });
    const bytes = () => new TextEncoder().encode(json);
    const types = [
      "text/plain",
      "text/plain;charset=UTF-8",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      // Look-alikes a lenient parser would read as JSON.
      "application/merge-patch+json",
      "application/vnd.api+json",
      "application/json; charset=utf-16",
      "text/json",
      "application/x-json",
    ];
    const routes: [string, string][] = [
      ["POST", tasksPath()],
      ["PUT", `${tasksPath()}/${task.id}`],
      ["PATCH", `${tasksPath()}/${task.id}/complete`],
      ["POST", `${tasksPath()}/complete-all`],
    ];
    for (const [method, path] of routes) {
      for (const type of types) {
        expectProblem(await raw(method, path, json, { "Content-Type": type }), 415);
      }
      // A byte body gets no Content-Type from fetch: the request has a body and no type.
      const untyped = await raw(method, path, bytes());
      expect(untyped.headers.get("content-type")).toBe("application/problem+json");
      expectProblem(untyped, 415);
    }
    expect(await read(task.id)).toEqual(before);
    expect(await count()).toBe(total);
  });

  it("application/json with or without charset=utf-8 is read", async () => {
    for (const type of [
      "application/json",
      "application/json; charset=UTF-8",
      "Application/JSON;charset=utf-8",
    ]) {
      const response = await raw("POST", tasksPath(), JSON.stringify({ title: type }), {
        "Content-Type": type,
      });
      expect(response.status, type).toBe(201);
    }
  });

  it("under /api/auth too", async () => {
    const body = JSON.stringify({ email: user.email, password: user.password });
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/vnd.api+json",
    ]) {
      const response = await raw("POST", "/api/auth/sign-in/email", body, {
        "Content-Type": type,
        Origin: TEST_BASE_URL,
      });
      expectProblem(response, 415);
    }
  });
});

describe("422 validation", () => {
  const readOnly = ["id", "user_id", "created_at", "updated_at", "completed_at"];
  const values: Record<string, unknown> = {
    id: 1,
    user_id: "someone",
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    completed_at: null,
  };
  const elevenTags = Array.from({ length: 11 }, (_, index) => `t${index}`);

  /** [what, body without title, the error's path, its message] */
  const fieldCases: [string, Record<string, unknown>, string, RegExp?][] = [
    ["an empty title", { title: "" }, "title", /empty/],
    ["a whitespace title", { title: " \t\n " }, "title", /empty/],
    ["a 201-character title", { title: "x".repeat(201) }, "title", /200/],
    ["a numeric title", { title: 5 }, "title"],
    ["a null title", { title: null }, "title"],
    ["a 1001-character description", { description: "d".repeat(1001) }, "description", /1000/],
    ["a numeric description", { description: 5 }, "description"],
    ["an unknown priority", { priority: "urgent" }, "priority"],
    ["an upper-case priority", { priority: "HIGH" }, "priority"],
    ["a null priority", { priority: null }, "priority"],
    ["11 tags", { tags: elevenTags }, "tags", /10/],
    ["a repeated tag", { tags: ["home", "work", "home"] }, "tags", /repeat/],
    ["a tag repeated once trimmed", { tags: ["home", " home "] }, "tags", /repeat/],
    ["a 33-character tag", { tags: ["x".repeat(33)] }, "tags.0", /32/],
    ["an empty second tag", { tags: ["ok", ""] }, "tags.1", /empty/],
    ["a numeric tag", { tags: ["ok", "fine", 3] }, "tags.2"],
    ["tags as a string", { tags: "home" }, "tags"],
    ["a null tags", { tags: null }, "tags"],
    ["a due_date that is a word", { due_date: "tomorrow" }, "due_date", /ISO 8601/],
    ["a due_date in month 13", { due_date: "2026-13-01T00:00:00Z" }, "due_date"],
    ["a due_date on February 30", { due_date: "2026-02-30T00:00:00Z" }, "due_date"],
    ["a due_date without a time", { due_date: "2026-12-01" }, "due_date"],
    ["a due_date as a number", { due_date: 1_764_547_200_000 }, "due_date"],
    ["completed as a string", { completed: "yes" }, "completed"],
    ["completed as a number", { completed: 1 }, "completed"],
    ["an unknown field", { colour: "red", description: "ok" }, "colour", /not a known field/],
  ];

  it("POST: each bad field is a 422 naming it; nothing is created", async () => {
    const total = await count();
    const missing = fieldErrors(
      await server.call("POST", tasksPath(), { token: user.jwt, body: {} }),
    );
    expect(Object.keys(missing)).toEqual(["title"]);
    const noTitle = fieldErrors(
      await server.call("POST", tasksPath(), { token: user.jwt, body: { description: "x" } }),
    );
    expect(Object.keys(noTitle)).toEqual(["title"]);
    for (const [what, fields, path, message] of fieldCases) {
      const response = await server.call("POST", tasksPath(), {
        token: user.jwt,
        body: { title: "ok", ...fields },
      });
      const errors = fieldErrors(response);
      expect(Object.keys(errors), what).toEqual([path]);
      if (message) expect(errors[path]?.join(" "), what).toMatch(message);
    }
    expect(await count()).toBe(total);
  });

  it("PUT: each bad field is a 422 naming it; the task is unchanged", async () => {
    const task = await server.createTask(user, { title: "stable", tags: ["a"] });
    const before = await read(task.id);
    for (const [what, fields, path, message] of fieldCases) {
      const response = await server.call("PUT", `${tasksPath()}/${task.id}`, {
        token: user.jwt,
        body: fields,
      });
      const errors = fieldErrors(response);
      expect(Object.keys(errors), what).toEqual([path]);
      if (message) expect(errors[path]?.join(" "), what).toMatch(message);
    }
    expect(await read(task.id)).toEqual(before);
  });

  it("each read-only field is a 422 that says it is read-only, on POST and PUT", async () => {
    const task = await server.createTask(user);
    const total = await count();
    for (const field of readOnly) {
      for (const [method, path] of [
        ["POST", tasksPath()],
        ["PUT", `${tasksPath()}/${task.id}`],
      ] as [string, string][]) {
        const response = await server.call(method, path, {
          token: user.jwt,
          body: { title: "ok", [field]: values[field] },
        });
        const errors = fieldErrors(response);
        expect(Object.keys(errors), `${method} ${field}`).toEqual([field]);
        expect(errors[field]?.join(" "), `${method} ${field}`).toMatch(/read-only/);
      }
    }
    // Several at once: one entry each.
    const all = fieldErrors(
      await server.call("POST", tasksPath(), { token: user.jwt, body: { title: "ok", ...values } }),
    );
    expect(Object.keys(all).sort()).toEqual([...readOnly].sort());
    expect(await count()).toBe(total);
    expect((await read(task.id)).body).toEqual(task);
  });

  it("an empty PUT {} is a 422, and so is a body that is not an object", async () => {
    const task = await server.createTask(user);
    const empty = await server.call("PUT", `${tasksPath()}/${task.id}`, {
      token: user.jwt,
      body: {},
    });
    expect(fieldErrors(empty)[""]?.join(" ")).toMatch(/at least one field/);
    // Only unknown fields: that is the error, not "send at least one field" on top of it.
    const unknownOnly = await server.call("PUT", `${tasksPath()}/${task.id}`, {
      token: user.jwt,
      body: { colour: "red" },
    });
    expect(Object.keys(fieldErrors(unknownOnly))).toEqual(["colour"]);
    for (const body of ["[]", "null", '"title"', "42", "true", '[{"title":"x"}]']) {
      fieldErrors(await server.call("POST", tasksPath(), { token: user.jwt, body }));
      fieldErrors(await server.call("PUT", `${tasksPath()}/${task.id}`, { token: user.jwt, body }));
    }
    expect((await read(task.id)).body).toEqual(task);
  });

  it("PATCH complete and complete-all validate their bodies", async () => {
    const task = await server.createTask(user);
    const path = `${tasksPath()}/${task.id}/complete`;
    const cases: [string, string, unknown, string][] = [
      ["PATCH", path, { completed: "yes" }, "completed"],
      ["PATCH", path, { completed: null }, "completed"],
      ["PATCH", path, { done: true }, "done"],
      ["PATCH", path, { completed: true, title: "x" }, "title"],
      ["POST", `${tasksPath()}/complete-all`, { completed: 1 }, "completed"],
      ["POST", `${tasksPath()}/complete-all`, { all: true }, "all"],
    ];
    for (const [method, target, body, field] of cases) {
      const errors = fieldErrors(await server.call(method, target, { token: user.jwt, body }));
      expect(Object.keys(errors), JSON.stringify(body)).toEqual([field]);
    }
    expect((await read(task.id)).body).toEqual(task);
  });

  it("reports every invalid field at once", async () => {
    const response = await server.call("POST", tasksPath(), {
      token: user.jwt,
      body: { title: "", priority: "x", tags: ["ok", "y".repeat(33)], id: 3 },
    });
    expect(Object.keys(fieldErrors(response)).sort()).toEqual([
      "id",
      "priority",
      "tags.1",
      "title",
    ]);
  });

  it("list query parameters, with paths like query.limit", async () => {
    const created = cursorOf({ s: "created", o: "desc", v: "2026-01-01 00:00:00+00", i: 1 });
    const cases: [string, string, RegExp?][] = [
      ["limit=0", "query.limit"],
      ["limit=201", "query.limit"],
      ["limit=abc", "query.limit"],
      ["limit=1.5", "query.limit"],
      ["limit=-1", "query.limit"],
      ["status=bad", "query.status"],
      ["status=", "query.status"],
      ["sort=bad", "query.sort"],
      ["sort=id", "query.sort"],
      ["order=up", "query.order"],
      ["priority=urgent", "query.priority"],
      [`tag=${"x".repeat(33)}`, "query.tag"],
      ["due_before=bad", "query.due_before", /ISO 8601/],
      ["due_before=2026-12-01", "query.due_before"],
      ["due_after=yesterday", "query.due_after"],
      ["foo=1", "query.foo", /not a known/],
      ["user_id=someone", "query.user_id"],
      ["cursor=!!!", "query.cursor", /cursor/],
      ["cursor=abc", "query.cursor"],
      [`cursor=${cursorOf({})}`, "query.cursor"],
      [`cursor=${cursorOf({ s: "created", o: "desc", v: null, i: -1 })}`, "query.cursor"],
      [`cursor=${"a".repeat(600)}`, "query.cursor"],
      [`sort=title&cursor=${created}`, "query.cursor", /sort/],
      [`order=asc&cursor=${created}`, "query.cursor", /order/],
    ];
    for (const [query, path, message] of cases) {
      const response = await server.call("GET", `${tasksPath()}?${query}`, { token: user.jwt });
      const errors = fieldErrors(response);
      expect(Object.keys(errors), query).toEqual([path]);
      if (message) expect(errors[path]?.join(" "), query).toMatch(message);
    }
    const several = fieldErrors(
      await server.call("GET", `${tasksPath()}?limit=0&status=bad&order=up`, { token: user.jwt }),
    );
    expect(Object.keys(several).sort()).toEqual(["query.limit", "query.order", "query.status"]);
  });

  it("a real cursor used with another sort or order", async () => {
    await Promise.all([1, 2, 3].map(() => server.createTask(user)));
    const first = await server.call("GET", `${tasksPath()}?limit=1&sort=updated&order=asc`, {
      token: user.jwt,
    });
    const next = /<([^>]+)>;\s*rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
    const cursor = next && new URL(next, TEST_BASE_URL).searchParams.get("cursor");
    expect(cursor).toBeTruthy();
    for (const query of ["sort=created&order=asc", "sort=updated&order=desc", "sort=title"]) {
      const response = await server.call("GET", `${tasksPath()}?${query}&cursor=${cursor}`, {
        token: user.jwt,
      });
      expect(Object.keys(fieldErrors(response)), query).toEqual(["query.cursor"]);
    }
    const same = await server.call(
      "GET",
      `${tasksPath()}?sort=updated&order=asc&cursor=${cursor}`,
      {
        token: user.jwt,
      },
    );
    expect(same.status).toBe(200);
  });

  it("a forged cursor whose value the database cannot read is a 422, not a 500", async () => {
    const forged: [string, Record<string, unknown>][] = [
      ["created", { s: "created", o: "desc", v: "not a date", i: 1 }],
      ["updated", { s: "updated", o: "asc", v: "2026-99-99", i: 1 }],
      ["due_date", { s: "due_date", o: "asc", v: "not a date", i: 1 }],
      ["priority", { s: "priority", o: "desc", v: "urgent", i: 1 }],
      ["created", { s: "created", o: "desc", v: "2026-01-01T00:00:00Z", i: 99_999_999_999 }],
      ["created", { s: "created", o: "desc", v: "2026-01-01 00:00:00+00", i: 99_999_999_999 }],
      ["created", { s: "created", o: "desc", v: "0000-01-01 00:00:00+00", i: 1 }],
      ["updated", { s: "updated", o: "desc", v: "2026-01-01 00:00:00+99", i: 1 }],
      ["title", { s: "title", o: "asc", v: "a\u0000b", i: 1 }],
    ];
    const wrong: string[] = [];
    for (const [sort, wire] of forged) {
      const response = await server.call(
        "GET",
        `${tasksPath()}?sort=${sort}&order=${wire.o}&cursor=${cursorOf(wire)}`,
        { token: user.jwt },
      );
      expectNoLeak(response);
      const paths = (response.body?.errors ?? []).map((error: { path: string }) => error.path);
      if (response.status !== 422 || paths.join() !== "query.cursor") {
        wrong.push(`${JSON.stringify(wire)}: ${response.status} errors=${JSON.stringify(paths)}`);
      } else {
        expectProblem(response, 422);
      }
    }
    expect(wrong.join("\n")).toBe("");
  });
});

describe("429 rate limit", () => {
  let limited: TestServer;
  afterAll(() => limited?.close());

  it("answers the 4th request in a minute with Retry-After, per user", async () => {
    limited = await createTestServer({ RATE_LIMIT_PER_MINUTE: "3" });
    const [first, second] = await Promise.all([limited.signUp(), limited.signUp()]);
    const path = `/api/${first.id}/tasks`;
    expect((await limited.call("GET", path, { token: first.jwt })).status).toBe(200);
    expect(
      (await limited.call("POST", path, { token: first.jwt, body: { title: "one" } })).status,
    ).toBe(201);
    expect((await limited.call("GET", path, { token: first.jwt })).status).toBe(200);

    for (const [method, target] of [
      ["GET", path],
      ["POST", `${path}/complete-all`],
      ["DELETE", `${path}/completed`],
    ] as [string, string][]) {
      const response = await limited.call(method, target, { token: first.jwt });
      expectProblem(response, 429);
      const retryAfter = response.headers.get("retry-after") ?? "";
      expect(retryAfter).toMatch(/^[1-9]\d*$/);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    }
    expect(
      (await limited.call("GET", `/api/${first.id}/tasks?limit=1`, { token: first.jwt })).body
        .status,
    ).toBe(429);

    // The second user has their own budget.
    for (let index = 0; index < 3; index++) {
      const response = await limited.call("GET", `/api/${second.id}/tasks`, { token: second.jwt });
      expect(response.status).toBe(200);
    }
    expectProblem(await limited.call("GET", `/api/${second.id}/tasks`, { token: second.jwt }), 429);

    // The change feed has a budget of its own: a reconnecting stream cannot starve the writes,
    // and the writes cannot starve the feed. It is limited all the same.
    const changes = `/api/${first.id}/changes`;
    for (let index = 0; index < 3; index++) {
      expect((await limited.call("GET", changes, { token: first.jwt })).status).toBe(200);
    }
    expectProblem(await limited.call("GET", changes, { token: first.jwt }), 429);
  });
});

/** Runs a request and fails instead of hanging: it must answer within `ms`. */
async function within<T>(ms: number, request: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([request, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function expectUnavailable(response: JsonResponse, context: string) {
  expect(response.status, `${context}: ${JSON.stringify(response.body)}`).toBe(503);
  expectProblem(response, 503);
  expect(response.headers.get("retry-after"), context).toMatch(/^[1-9]\d*$/);
}

describe("503 database unreachable", () => {
  it("when the database handle is closed under a running server", async () => {
    const broken = await createTestServer();
    const owner = await broken.signUp();
    const task = await broken.createTask(owner);
    // A second user whose token has been issued but never used on a task route.
    const late = await broken.signUp();
    await broken.database.close();

    const base = `/api/${owner.id}/tasks`;
    const cases: [string, string, unknown][] = [
      ["GET", base, undefined],
      ["GET", `${base}?q=x&sort=title`, undefined],
      ["POST", base, { title: "lost?" }],
      ["GET", `${base}/${task.id}`, undefined],
      ["PUT", `${base}/${task.id}`, { title: "x" }],
      ["DELETE", `${base}/${task.id}`, undefined],
      ["PATCH", `${base}/${task.id}/complete`, undefined],
      ["POST", `${base}/complete-all`, undefined],
      ["DELETE", `${base}/completed`, undefined],
    ];
    for (const [method, path, body] of cases) {
      const response = await within(5_000, broken.call(method, path, { token: owner.jwt, body }));
      expectUnavailable(response, `${method} ${path}`);
    }
    expectUnavailable(
      await within(5_000, broken.call("GET", `/api/${late.id}/tasks`, { token: late.jwt })),
      "a token not seen before",
    );
    expectUnavailable(await within(5_000, broken.request("/ready")), "/ready");
    const health = await within(5_000, broken.request("/health"));
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: "ok" });
    // Validation and auth need no database: they still answer as usual.
    expectProblem(await within(5_000, broken.call("GET", base)), 401);
    expectProblem(
      await within(5_000, broken.call("GET", `${base}?limit=0`, { token: owner.jwt })),
      422,
    );
  });

  /** The app built like the harness does, on a Postgres URL where nothing listens. */
  async function serverWithDeadDatabase() {
    const url = "postgres://postgres@127.0.0.1:1/x";
    const config = loadConfig({
      NODE_ENV: "test",
      BETTER_AUTH_URL: TEST_BASE_URL,
      BETTER_AUTH_SECRET: TEST_SECRET,
      DATABASE_URL: url,
      RATE_LIMIT_PER_MINUTE: "0",
      WEB_DIST_DIR: "/nonexistent-web-dist",
      LOG_LEVEL: "silent",
    });
    const database = usePostgres(url);
    const { app } = await createServer(config, database, pino({ level: "silent" }));
    const send = async (path: string, init: RequestInit = {}): Promise<JsonResponse> => {
      const response = await within(5_000, Promise.resolve(app.request(path, init)));
      const text = await response.text();
      const type = response.headers.get("content-type") ?? "";
      return {
        status: response.status,
        headers: response.headers,
        body: text && type.includes("json") ? JSON.parse(text) : text || undefined,
      };
    };
    return { send, close: () => database.close().catch(() => {}) };
  }

  it("when DATABASE_URL points at a port where nothing listens", async () => {
    const dead = await serverWithDeadDatabase();
    try {
      // A real token (from the working server): checking it needs keys from the dead database.
      const auth = { Authorization: `Bearer ${user.jwt}` };
      const json = { ...auth, "Content-Type": "application/json" };
      const base = `/api/${user.id}/tasks`;
      const cases: [string, string, Record<string, string>, string?][] = [
        ["GET", base, auth],
        ["POST", base, json, '{"title":"x"}'],
        ["GET", `${base}/1`, auth],
        ["PUT", `${base}/1`, json, '{"title":"x"}'],
        ["DELETE", `${base}/1`, auth],
        ["PATCH", `${base}/1/complete`, auth],
        ["POST", `${base}/complete-all`, auth],
        ["DELETE", `${base}/completed`, auth],
      ];
      for (const [method, path, headers, body] of cases) {
        const started = Date.now();
        const response = await dead.send(path, { method, headers, body });
        expectUnavailable(response, `${method} ${path}`);
        expect(Date.now() - started).toBeLessThan(5_000);
      }
      expectUnavailable(await dead.send("/ready"), "/ready");
      const health = await dead.send("/health");
      expect(health.status).toBe(200);
      expect(health.body).toEqual({ status: "ok" });
      // No token needs no database: still a 401.
      expectProblem(await dead.send(base), 401);
    } finally {
      await dead.close();
    }
  });

  it("Better Auth's routes answer 503 too, not a bare 500 or a 401 that signs the user out", async () => {
    const dead = await serverWithDeadDatabase();
    try {
      const signUp = await dead.send("/api/auth/sign-up/email", {
        method: "POST",
        headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json" },
        body: JSON.stringify({
          email: "x@example.com",
          password: "correct-horse-battery",
          name: "X",
        }),
      });
      expectUnavailable(signUp, "sign-up");
      // A real session from the working server: the client must not be told it is invalid.
      const token = await dead.send("/api/auth/token", {
        headers: { Origin: TEST_BASE_URL, Authorization: `Bearer ${user.sessionToken}` },
      });
      expectUnavailable(token, "/api/auth/token");
    } finally {
      await dead.close();
    }
  });
});

describe("500 never leaks", () => {
  it("inputs the database might choke on answer 4xx (or succeed), never a 500 or a leak", async () => {
    const nul = "a\u0000b";
    const cases: [string, string, unknown][] = [
      ["POST", tasksPath(), { title: nul }],
      ["POST", tasksPath(), { title: "ok", description: nul }],
      ["POST", tasksPath(), { title: "ok", tags: [nul] }],
      ["POST", tasksPath(), { title: "ok", due_date: "0000-01-01T00:00:00Z" }],
      ["POST", tasksPath(), { title: "ok", due_date: "9999-12-31T23:59:59.999Z" }],
      ["POST", tasksPath(), { title: "\ud800 lone surrogate" }],
      ["GET", `${tasksPath()}?q=${encodeURIComponent(nul)}`, undefined],
      ["GET", `${tasksPath()}?tag=${encodeURIComponent(nul)}`, undefined],
      ["GET", `${tasksPath()}?due_before=0000-01-01T00:00:00Z`, undefined],
      ["GET", `${tasksPath()}?q=${encodeURIComponent("%'; drop table tasks; --")}`, undefined],
    ];
    const failures: string[] = [];
    for (const [method, path, body] of cases) {
      const response = await server.call(method, path, { token: user.jwt, body });
      expectNoLeak(response);
      if (response.status >= 400) expectProblem(response, response.status);
      const what = `${method} ${path.replace(tasksPath(), "…/tasks")} ${JSON.stringify(body) ?? ""}`;
      if (response.status >= 500) failures.push(`${what} → ${response.status}`);
    }
    expect(failures.join("\n")).toBe("");
    // The table is still there and still answers.
    expect((await server.call("GET", tasksPath(), { token: user.jwt })).status).toBe(200);
  });
});
