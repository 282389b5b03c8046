import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import pg from "pg";
import pino from "pino";
import { inject } from "vitest";
import { createPglite, type DatabaseHandle, usePglite, usePostgres } from "../../src/db/client";
import { loadConfig } from "../../src/env";
import { createServer, type ServerOptions } from "../../src/server";
import { withDatabase } from "./postgres-url";

export type TestDatabaseInfo =
  | { kind: "pglite"; template: string }
  | { kind: "postgres"; adminUrl: string; template: string; prefix: string };

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase: TestDatabaseInfo;
  }
}

export const TEST_BASE_URL = "http://localhost:3000";
export const TEST_SECRET = "test-secret-that-is-at-least-32-characters-long";

/** The URL of a test database, in a file of the postgres project (test/postgres), which needs one. */
export function postgresUrlOf(database: { url?: string }): string {
  if (!database.url) throw new Error("this file belongs to the postgres project");
  return database.url;
}

/** A fresh database of the kind this project tests (PGlite or Postgres), cloned from a migrated template. */
export async function openTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  const info = inject("testDatabase");
  if (info.kind === "pglite") {
    const dump = new Blob([await readFile(info.template)]);
    return usePglite(await createPglite({ loadDataDir: dump }));
  }
  const name = `${info.prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${info.template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(info.adminUrl, name);
  return { ...usePostgres(url), url };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  /** Better Auth's session token (the `set-auth-token` header): not a JWT. */
  sessionToken: string;
  jwt: string;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response bodies loosely on purpose
  body: any;
}

/** The whole app on a fresh database, called in-process (`app.request`), no port opened. */
export async function createTestServer(
  env: Record<string, string> = {},
  options: ServerOptions = {},
) {
  const database = await openTestDatabase();
  const config = loadConfig({
    NODE_ENV: "test",
    BETTER_AUTH_URL: TEST_BASE_URL,
    BETTER_AUTH_SECRET: TEST_SECRET,
    RATE_LIMIT_PER_MINUTE: "0",
    WEB_DIST_DIR: "/nonexistent-web-dist",
    LOG_LEVEL: "silent",
    ...env,
  });
  const { app, auth } = await createServer(config, database, pino({ level: "silent" }), options);

  async function request(path: string, init: RequestInit = {}): Promise<JsonResponse> {
    const response = await app.request(path, init);
    // An event stream never ends by itself: it is opened, then closed unread (test/support/sse.ts reads one).
    if (response.headers.get("content-type") === "text/event-stream") {
      await response.body?.cancel();
      return { status: response.status, headers: response.headers, body: undefined };
    }
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const body = text && type.includes("json") ? JSON.parse(text) : text || undefined;
    return { status: response.status, headers: response.headers, body };
  }

  /** Sends JSON with a user's JWT (or other headers). */
  function call(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] ??= "application/json";
      body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
    }
    return request(path, { method, headers, body });
  }

  const authHeaders = { Origin: TEST_BASE_URL, "Content-Type": "application/json" };

  /** A real user: signed up through Better Auth, with a real JWT from /api/auth/token. */
  async function signUp(name = "Test User"): Promise<TestUser> {
    const email = `${randomUUID()}@example.com`;
    const password = "correct-horse-battery";
    const signUpResponse = await request("/api/auth/sign-up/email", {
      method: "POST",
      headers: authHeaders,
      body: JSON.stringify({ email, password, name }),
    });
    if (signUpResponse.status !== 200)
      throw new Error(`sign-up failed: ${JSON.stringify(signUpResponse.body)}`);
    const sessionToken = signUpResponse.headers.get("set-auth-token");
    if (!sessionToken) throw new Error("sign-up returned no set-auth-token header");
    const jwt = await getJwt(sessionToken);
    return { id: signUpResponse.body.user.id, email, password, sessionToken, jwt };
  }

  async function getJwt(sessionToken: string): Promise<string> {
    const response = await request("/api/auth/token", {
      headers: { Authorization: `Bearer ${sessionToken}`, Origin: TEST_BASE_URL },
    });
    if (response.status !== 200) throw new Error(`/api/auth/token failed: ${response.status}`);
    return response.body.token;
  }

  /** Creates a task for a user straight through the API; fails the test on anything but 201. */
  async function createTask(user: TestUser, fields: Record<string, unknown> = {}) {
    const response = await call("POST", `/api/${user.id}/tasks`, {
      token: user.jwt,
      body: { title: `Task ${randomUUID().slice(0, 8)}`, ...fields },
    });
    if (response.status !== 201)
      throw new Error(`create failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  return {
    app,
    auth,
    config,
    database,
    request,
    call,
    signUp,
    getJwt,
    createTask,
    close: () => database.close(),
  };
}

export type TestServer = Awaited<ReturnType<typeof createTestServer>>;
