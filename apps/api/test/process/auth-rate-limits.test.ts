import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_LIMITS } from "../../src/rate-limit/credential-limits";
import {
  createScratchDatabase,
  PROCESS_SECRET,
  postgresUnavailable,
  type ServerProcess,
  startServerProcess,
} from "../support/server-process";

// Sign-in limits over real sockets, in production mode (where they are on by default): the
// address comes from the socket, so no header a client sends moves it; and replicas on one
// PostgreSQL count in one budget.

const ORIGIN = "https://todo.test";
const PASSWORD = "correct-horse-battery";
const MAX = CREDENTIAL_LIMITS.signInAccountAtAddress.max;
let spoof = 1;
const spoofed = () => `198.51.100.${spoof++ % 250}`;

const production = (extra: Record<string, string>) => ({
  NODE_ENV: "production",
  BETTER_AUTH_SECRET: PROCESS_SECRET,
  BETTER_AUTH_URL: ORIGIN,
  ...extra,
});

function post(server: ServerProcess, path: string, body: unknown, headers = {}) {
  return fetch(`${server.base}${path}`, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function signUp(server: ServerProcess, email: string): Promise<string> {
  const response = await post(server, "/api/auth/sign-up/email", {
    email,
    password: PASSWORD,
    name: "Victim",
  });
  expect(response.status).toBe(200);
  return response.headers.get("set-auth-token") ?? "";
}

/** A wrong guess, dressed up as coming from somewhere else each time. */
const guess = (server: ServerProcess, email: string) =>
  post(
    server,
    "/api/auth/sign-in/email",
    { email, password: "wrong-horse-battery" },
    { "X-Forwarded-For": spoofed(), "X-Client-Address": spoofed(), "X-Real-IP": spoofed() },
  );

async function expectLimited(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
  expect(await response.json()).toMatchObject({ status: 429, title: "Too Many Requests" });
}

describe("sign-in limits in a production server", () => {
  it("limits brute force with a different spoofed X-Forwarded-For on each try, and Better Auth records the socket's address", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "todo-limits-"));
    const server = await startServerProcess({ env: production({ DATA_DIR: dataDir }) });
    try {
      const email = `${randomUUID()}@example.com`;
      const session = await signUp(server, email);
      for (let i = 0; i < MAX; i++) expect((await guess(server, email)).status).toBe(401);
      await expectLimited(await guess(server, email));

      const sessions = await fetch(`${server.base}/api/auth/list-sessions`, {
        headers: { Origin: ORIGIN, Authorization: `Bearer ${session}` },
      });
      expect(await sessions.json()).toEqual([expect.objectContaining({ ipAddress: "127.0.0.1" })]);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  const unavailable = postgresUnavailable();
  if (unavailable) console.warn(`[process] skipping the two-replica test: ${unavailable}`);

  it.skipIf(unavailable !== "")(
    "two server processes on one PostgreSQL share the counters, ours and Better Auth's",
    async () => {
      const database = await createScratchDatabase();
      const env = production({ DATABASE_URL: database.url });
      const servers: ServerProcess[] = [];
      try {
        servers.push(await startServerProcess({ env }), await startServerProcess({ env }));
        const [a, b] = servers;
        if (!a || !b) throw new Error("two servers expected");
        const email = `${randomUUID()}@example.com`;
        await signUp(a, email);
        // Alternating replicas: each sees only some of the guesses, the limit counts all of them.
        for (let i = 0; i < MAX; i++) {
          expect((await guess(i % 2 === 0 ? a : b, email)).status).toBe(401);
        }
        await expectLimited(await guess(a, email));
        await expectLimited(await guess(b, email));

        // Better Auth's own limiter counts in the same store: change-password allows 3 in 10 s
        // per address, fewer than our 5 failed password checks per user, so the 4th refusal is its.
        const session = await signUp(b, `${randomUUID()}@example.com`);
        const change = (server: ServerProcess) =>
          post(
            server,
            "/api/auth/change-password",
            { currentPassword: "wrong-horse-battery", newPassword: "another-horse-battery" },
            { Authorization: `Bearer ${session}` },
          );
        for (let i = 0; i < 3; i++) expect((await change(i % 2 === 0 ? a : b)).status).toBe(400);
        await expectLimited(await change(b));
      } finally {
        await Promise.all(servers.map((server) => server.stop()));
        await database.drop();
      }
    },
    90_000,
  );
});
