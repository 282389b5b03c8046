import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { createServer } from "../../src/server";
import {
  createTestServer,
  TEST_BASE_URL,
  TEST_SECRET,
  type TestServer,
  type TestUser,
} from "../support/test-server";

let harness: TestServer;
let user: TestUser;
let lines: string[];
let app: Awaited<ReturnType<typeof createServer>>["app"];

beforeAll(async () => {
  harness = await createTestServer();
  user = await harness.signUp();
  const logged = await appLoggingTo(harness.database, "info");
  ({ app, lines } = logged);
});
afterAll(() => harness.close());

/** The app on a test database, logging at `level` into the returned lines. */
async function appLoggingTo(database: TestServer["database"], level: "info" | "debug") {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    BETTER_AUTH_URL: TEST_BASE_URL,
    BETTER_AUTH_SECRET: TEST_SECRET,
    LOG_LEVEL: level,
    // As in the test server: whether the web app happens to be built must not change the routes.
    WEB_DIST_DIR: "/nonexistent-web-dist",
  });
  const { app } = await createServer(config, database, pino({ level }, sink));
  return { app, lines };
}

describe("request logs", () => {
  it("are one line per request: method, route pattern, status, duration and request id", async () => {
    lines.length = 0;
    const response = await app.request(`/api/${user.id}/tasks/123456`, {
      headers: { Authorization: `Bearer ${user.jwt}` },
    });
    expect(response.status).toBe(404);
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 30,
      msg: "request",
      reqId: response.headers.get("X-Request-Id"),
      req: { method: "GET", route: "/api/:user_id/tasks/:id" },
      res: { status: 404 },
      responseTime: expect.any(Number),
    });
    // The pattern, not the path: neither the user's id nor the task's is in the line.
    expect(lines[0]).not.toContain(user.id);
    expect(lines[0]).not.toContain("123456");
  });

  it("name no route for a path that none matched", async () => {
    lines.length = 0;
    await app.request(`/api/${user.id}/nothing-here`, { method: "POST" });
    const [entry] = lines.map((line) => JSON.parse(line) as { req: { route: string } });
    // The pattern of the middleware that answered, never the path.
    expect(entry?.req.route).toBe("/api/*");
  });

  it("record method, route and status, and never a token or a cookie", async () => {
    const paths = [`/api/${user.id}/tasks`, "/api/someone-else/tasks", "/api/auth/get-session"];
    for (const path of paths) {
      await app.request(path, {
        headers: {
          Authorization: `Bearer ${user.jwt}`,
          Cookie: `better-auth.session_token=${user.sessionToken}`,
          Origin: TEST_BASE_URL,
        },
      });
    }
    const log = lines.join("");
    expect(log).toContain('"route":"/api/:user_id/tasks"');
    expect(log).toContain('"status":403');
    for (const secret of [
      user.jwt,
      user.sessionToken,
      user.jwt.split(".")[2] ?? "",
      "authorization",
      "cookie",
    ]) {
      expect(log.toLowerCase()).not.toContain(secret.toLowerCase());
    }
  });

  it("log a client's 4xx at info, not as an error of ours", async () => {
    lines.length = 0;
    await app.request("/api/someone-else/tasks", {
      headers: { Authorization: `Bearer ${user.jwt}` },
    });
    const entries = lines.map(
      (line) => JSON.parse(line) as { level: number; res?: { status: number } },
    );
    const response = entries.find((entry) => entry.res?.status === 403);
    expect(response?.level).toBe(30);
  });
});

describe("logs during a database outage", () => {
  it("hold what failed, but never a session token, a JWT or the values a query carried", async () => {
    const outage = await createTestServer();
    const victim = await outage.signUp();
    const logged = await appLoggingTo(outage.database, "debug");
    const output = logged.lines;
    await outage.close();

    const title = "a title that is nobody's business";
    const answers = [
      await logged.app.request("/api/auth/get-session", {
        headers: { Authorization: `Bearer ${victim.sessionToken}`, Origin: TEST_BASE_URL },
      }),
      await logged.app.request("/api/auth/token", {
        headers: {
          Cookie: `better-auth.session_token=${victim.sessionToken}`,
          Origin: TEST_BASE_URL,
        },
      }),
      await logged.app.request(`/api/${victim.id}/tasks`, {
        method: "POST",
        headers: { Authorization: `Bearer ${victim.jwt}`, "Content-Type": "application/json" },
        body: JSON.stringify({ title }),
      }),
    ];
    for (const answer of answers) expect(answer.status, await answer.clone().text()).toBe(503);

    const log = output.join("");
    // The failures were logged (so this test sees the path that leaked)…
    expect(log).toContain("Failed query");
    // …without what the queries carried.
    const sessionId = victim.sessionToken.split(".")[0] ?? victim.sessionToken;
    for (const secret of [sessionId, victim.jwt, title, victim.email, "params:"]) {
      expect(log).not.toContain(secret);
    }
  });
});
