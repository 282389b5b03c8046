import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { attackRuns, reportAttackFigures } from "../support/attack-report";
import { expectNoLeak } from "../support/problems";
import {
  createTestServer,
  type JsonResponse,
  TEST_BASE_URL,
  type TestServer,
  type TestUser,
} from "../support/test-server";

// Hostile input on every route and method of our own /openapi.json (and Better Auth's sign-up and
// sign-in): hostile path ids, query values, bodies, content types and conditional headers, sent
// with a valid token for the path (so the request reaches validation and SQL) or another user's.
// Every answer must be below 500; every error problem+json with no stack, SQL or driver text.
// Bounded here; `npm run test:attack` runs it with ATTACK_RUNS on PostgreSQL.

interface Parameter {
  name: string;
  in: "path" | "query" | "header";
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}
interface Schema {
  $ref?: string;
  properties?: Record<string, unknown>;
}
type Spec = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** The property names of a body schema, following a `$ref` into the components. */
function fieldsOf(schema: Schema | undefined): string[] {
  const name = schema?.$ref?.split("/").at(-1);
  const resolved = name ? spec.components?.schemas?.[name] : schema;
  return Object.keys(resolved?.properties ?? {});
}

/** Strings that have broken parsers, validators and SQL somewhere. */
const HOSTILE_TEXT = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff\ud800",
  "🙂".repeat(300),
  "x".repeat(70_000),
  "' or 1=1--",
  '"; drop table tasks; --',
  "$1",
  "%00",
  "%",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x10",
  "１２",
  "2147483648",
  "-2147483649",
  "99999999999999999999999",
  "null",
  "true",
  "[]",
  "{}",
  "2026-02-30T00:00:00Z",
  "0000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  "2026-11-28T10:00:00+25:00",
];
/** Values for a path segment (no SQL keywords: a 404's detail names the path it could not find). */
const HOSTILE_SEGMENTS = [
  "0",
  "-1",
  "1.5",
  "1e3",
  "2147483647",
  "2147483648",
  "99999999999999999999",
  "abc",
  "%00",
  "%2e%2e",
  "%F0%9F%99%82",
  "%ED%A0%80",
  "１",
  " 1",
  "x".repeat(3000),
];
/** JSON nested this deep: written as text, since JSON.stringify itself runs out of stack. */
const deep = (depth: number, inner = "1") => `${"[".repeat(depth)}${inner}${"]".repeat(depth)}`;
const HOSTILE_JSON: unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53 + 1,
  -(2 ** 63),
  [],
  {},
  [1, 2, 3],
  { $gt: "" },
  { __proto__: { polluted: true } },
  Array.from({ length: 5000 }, (_, i) => `tag${i}`),
];

const text = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const anyJson = fc.oneof(fc.constantFrom(...HOSTILE_JSON), text, fc.jsonValue({ maxDepth: 3 }));
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-16",
  "application/merge-patch+json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/json; charset=utf-8; boundary=x",
);
const rawBody = fc.oneof(
  fc.constantFrom(
    "{",
    "}",
    "[",
    '{"title":',
    "\u0000",
    "title=x",
    '{"title":"x"}{"title":"y"}',
    "\ufeff{}",
    deep(20_000),
    `{"title":"x","tags":${deep(20_000, '"t"')}}`,
    '{"title":"x","title":"y"}',
  ),
  fc.string({ maxLength: 50 }),
);

let server: TestServer;
let user: TestUser;
let other: TestUser;
let spec: Spec;
let requests = 0;
const serverErrors: string[] = [];

beforeAll(async () => {
  server = await createTestServer();
  [user, other] = [await server.signUp("Fuzz"), await server.signUp("Victim")];
  await server.createTask(user, { title: "a task to aim at" });
  spec = (await server.request("/openapi.json")).body as Spec;
});
afterAll(() => server.close());

/** Every answer: below 500, and an error is a clean problem. */
function check(label: string, response: JsonResponse) {
  requests += 1;
  if (response.status >= 500)
    serverErrors.push(`${label} → ${response.status} ${JSON.stringify(response.body)}`);
  expect(response.status, label).toBeLessThan(500);
  if (response.status >= 400) {
    expect(response.headers.get("content-type"), label).toBe("application/problem+json");
    expect(response.body, label).toMatchObject({
      type: expect.any(String),
      title: expect.any(String),
      status: response.status,
      detail: expect.any(String),
    });
    expectNoLeak(response);
  }
}

/** A body the route accepts, to make one field of it hostile at a time. */
const validBody = (fields: string[]) =>
  fields.includes("title") ? { title: "fuzz" } : { completed: true };

/** One request built from hostile parts, for a route of the spec. */
function requestFor(path: string, method: string, operation: Operation) {
  const parameters = operation.parameters ?? [];
  const query = parameters.filter((parameter) => parameter.in === "query");
  const headers = parameters.filter((parameter) => parameter.in === "header");
  const bodyFields = fieldsOf(operation.requestBody?.content["application/json"]?.schema);
  if (operation.requestBody) expect(bodyFields.length, `${method} ${path}`).toBeGreaterThan(0);
  return fc
    .record({
      asUser: fc.constantFrom<"own" | "other" | "hostile">("own", "own", "own", "other", "hostile"),
      userSegment: fc.constantFrom(...HOSTILE_SEGMENTS),
      id: fc.oneof(fc.constantFrom(...HOSTILE_SEGMENTS), fc.nat().map(String)),
      query: fc.array(fc.tuple(fc.constantFrom(...query.map((q) => q.name), "unknown"), text), {
        maxLength: 4,
      }),
      headers: fc.dictionary(fc.constantFrom(...headers.map((h) => h.name), "If-Match"), text, {
        maxKeys: 2,
      }),
      body: operation.requestBody
        ? fc.oneof(
            // A valid body with one field made hostile: the value reaches validation and SQL alone.
            {
              weight: 3,
              arbitrary: fc
                .tuple(fc.constantFrom(...bodyFields), anyJson)
                .map(([field, value]) =>
                  JSON.stringify({ ...validBody(bodyFields), [field]: value }),
                ),
            },
            {
              weight: 2,
              arbitrary: fc
                .dictionary(fc.constantFrom(...bodyFields, "id", "user_id", "extra"), anyJson, {
                  maxKeys: 4,
                })
                .map((fields) => JSON.stringify(fields)),
            },
            { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value) ?? "null") },
            { weight: 1, arbitrary: rawBody },
          )
        : fc.constant(undefined),
      contentType: operation.requestBody
        ? fc.oneof({ weight: 3, arbitrary: fc.constant("application/json") }, contentType)
        : fc.constant(undefined),
    })
    .map((parts) => {
      const owner =
        parts.asUser === "own" ? user.id : parts.asUser === "other" ? other.id : parts.userSegment;
      const url = new URL(
        path.replace("{user_id}", owner).replace("{id}", parts.id),
        TEST_BASE_URL,
      );
      for (const [name, value] of parts.query) url.searchParams.append(name, value);
      const requestHeaders: Record<string, string> = { Authorization: `Bearer ${user.jwt}` };
      for (const [name, value] of Object.entries(parts.headers)) {
        // A header value cannot hold control characters or non-Latin-1: fetch would refuse to send.
        if (/^[\x20-\x7e]*$/.test(value)) requestHeaders[name] = value;
      }
      if (parts.contentType) requestHeaders["Content-Type"] = parts.contentType;
      return {
        label: `${method.toUpperCase()} ${url.pathname.slice(0, 120)}${url.search.slice(0, 120)}`,
        url: `${url.pathname}${url.search}`,
        init: { method: method.toUpperCase(), headers: requestHeaders, body: parts.body },
      };
    });
}

const routes = () =>
  Object.entries(spec.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  );

describe("hostile input on every documented route", () => {
  it("each body field, query parameter and path id, one hostile value at a time: no 5xx, clean problems", async () => {
    const values: unknown[] = [...HOSTILE_TEXT, ...HOSTILE_JSON];
    const taskId = String((await server.createTask(user)).id);
    for (const { path, method, operation } of routes()) {
      const send = (url: string, headers: Record<string, string> = {}, body?: string) =>
        server.request(url, {
          method: method.toUpperCase(),
          headers: { Authorization: `Bearer ${user.jwt}`, ...headers },
          body,
        });
      const at = (id: string) => path.replace("{user_id}", user.id).replace("{id}", id);
      const fields = fieldsOf(operation.requestBody?.content["application/json"]?.schema);
      const json = { "Content-Type": "application/json" };
      const base = operation.requestBody ? JSON.stringify(validBody(fields)) : undefined;
      for (const field of fields) {
        for (const value of values) {
          const body = JSON.stringify({ ...validBody(fields), [field]: value });
          check(
            `${method} ${path} ${field}=${JSON.stringify(value).slice(0, 40)}`,
            await send(at(taskId), json, body),
          );
        }
      }
      for (const parameter of operation.parameters ?? []) {
        for (const value of HOSTILE_TEXT) {
          if (parameter.in === "query") {
            const url = `${at(taskId)}?${new URLSearchParams([[parameter.name, value]])}`;
            check(`${method} ${url.slice(0, 120)}`, await send(url, base ? json : {}, base));
          }
          if (parameter.in === "header" && /^[\x20-\x7e]*$/.test(value)) {
            check(
              `${method} ${path} ${parameter.name}: ${value.slice(0, 40)}`,
              await send(at(taskId), { ...(base ? json : {}), [parameter.name]: value }, base),
            );
          }
        }
      }
      if (path.includes("{id}")) {
        for (const segment of HOSTILE_SEGMENTS) {
          check(
            `${method} ${at(segment).slice(0, 120)}`,
            await send(at(segment), base ? json : {}, base),
          );
        }
      }
    }
    expect(serverErrors).toEqual([]);
  }, 600_000);

  it("random combinations of hostile parts: no 5xx, clean problems", async () => {
    const runs = attackRuns(25, 1000);
    expect(routes().length).toBeGreaterThanOrEqual(10);
    for (const { path, method, operation } of routes()) {
      await fc.assert(
        fc.asyncProperty(requestFor(path, method, operation), async ({ label, url, init }) => {
          check(label, await server.request(url, init));
        }),
        { numRuns: runs, endOnFailure: true },
      );
    }
    expect(serverErrors).toEqual([]);
  }, 600_000);

  it("Better Auth's sign-up and sign-in too", async () => {
    const runs = attackRuns(25, 1000);
    const body = fc.dictionary(
      fc.constantFrom("email", "password", "name", "rememberMe", "callbackURL", "image"),
      anyJson,
      { maxKeys: 5 },
    );
    for (const path of ["/api/auth/sign-up/email", "/api/auth/sign-in/email"]) {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            body.map((fields) => JSON.stringify(fields)),
            rawBody,
          ),
          contentType,
          async (payload, type) => {
            const response = await server.request(path, {
              method: "POST",
              headers: { Origin: TEST_BASE_URL, "Content-Type": type },
              body: payload,
            });
            check(`POST ${path} ${payload.slice(0, 80)}`, response);
          },
        ),
        { numRuns: runs, endOnFailure: true },
      );
    }
    expect(serverErrors).toEqual([]);
    reportAttackFigures("openapi-fuzz", inject("testDatabase").kind, {
      routes: routes().length + 2,
      requests,
      serverErrors: serverErrors.length,
    });
  }, 600_000);
});
