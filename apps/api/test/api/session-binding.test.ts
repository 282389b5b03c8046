import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SESSION_RECHECK_MS } from "../../src/auth/live-sessions";
import type { DatabaseHandle } from "../../src/db/client";
import { session } from "../../src/db/schema";
import { createServer } from "../../src/server";
import { listenInProcess } from "../support/listen";
import { expectProblem } from "../support/problems";
import { refusedWithin, sessionClient } from "../support/sessions";
import {
  createTestServer,
  type JsonResponse,
  TEST_BASE_URL,
  TEST_SECRET,
  type TestServer,
} from "../support/test-server";
import { decodePayload, freePort, nowSeconds, signHmac } from "../support/tokens";

/**
 * Each JWT is bound to the session it was issued for (`sid`): sign-out, revocation, a password
 * change or expiry ends the session, and the JWT is refused within the bound (decision 019). The
 * servers here run with a short bound so that the tests need not wait 30 s; one runs with the
 * real one to show that the check costs no database read per request.
 */

/** The injected bound of the short-bound server. */
const BOUND_MS = 400;
/** What the machine may add on top of the bound (a loaded CI box, a slow Postgres). */
const SLACK_MS = 1_500;
const PASSWORD = "correct-horse-battery";

let server: TestServer;
let auth: ReturnType<typeof sessionClient>;

beforeAll(async () => {
  server = await createTestServer({}, { sessionRecheckMs: BOUND_MS });
  auth = sessionClient(server.request, TEST_BASE_URL);
});
afterAll(() => server?.close());

/** A user with one session, and a JWT of that session. */
async function newUser(client = auth) {
  const email = `${randomUUID()}@example.com`;
  const { userId, sessionToken } = await client.signUp(email, PASSWORD);
  return { userId, email, sessionToken, jwt: await client.jwt(sessionToken) };
}

const listStatus = async (target: TestServer, userId: string, jwt: string) =>
  (await target.call("GET", `/api/${userId}/tasks`, { token: jwt })).status;

function expectRevoked(response: JsonResponse) {
  expectProblem(response, 401);
  expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
}

describe("the JWT names its session", () => {
  it("carries sid (the session's id) and only sub, iss, aud, iat, exp besides", async () => {
    const user = await newUser();
    const claims = decodePayload(user.jwt);
    expect(Object.keys(claims).sort()).toEqual(["aud", "exp", "iat", "iss", "sid", "sub"]);
    expect(claims.sid).toBe(await auth.sessionId(user.sessionToken));
    expect(claims.sub).toBe(user.userId);
  });
});

describe("sign-out", () => {
  it("the old JWT is accepted before, and refused within the bound after (the verified-token cache included)", async () => {
    const user = await newUser();
    // Accepted several times: the token is now in the verified-token cache and its session in the
    // session cache.
    for (let i = 0; i < 3; i++) expect(await listStatus(server, user.userId, user.jwt)).toBe(200);

    await auth.signOut(user.sessionToken);
    const elapsed = await refusedWithin(
      () => listStatus(server, user.userId, user.jwt),
      BOUND_MS + SLACK_MS,
    );
    expect(elapsed).toBeLessThanOrEqual(BOUND_MS + SLACK_MS);

    expectRevoked(await server.call("GET", `/api/${user.userId}/tasks`, { token: user.jwt }));
    const write = await server.call("POST", `/api/${user.userId}/tasks`, {
      token: user.jwt,
      body: { title: "after sign-out" },
    });
    expectRevoked(write);
    expect(await auth.jwtStatus(user.sessionToken)).toBe(401);
  });

  it("a second session of the same user is unaffected by signing out the first", async () => {
    const user = await newUser();
    const laptop = await auth.signIn(user.email, PASSWORD);
    const laptopJwt = await auth.jwt(laptop);
    expect(decodePayload(laptopJwt).sid).not.toBe(decodePayload(user.jwt).sid);
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);
    expect(await listStatus(server, user.userId, laptopJwt)).toBe(200);

    await auth.signOut(user.sessionToken);
    await refusedWithin(() => listStatus(server, user.userId, user.jwt), BOUND_MS + SLACK_MS);
    expect(await listStatus(server, user.userId, laptopJwt)).toBe(200);
    expect(
      (
        await server.call("POST", `/api/${user.userId}/tasks`, {
          token: laptopJwt,
          body: { title: "from the laptop" },
        })
      ).status,
    ).toBe(201);
  });

  it("is seen by a second app on the same database (its own caches) within the bound", async () => {
    const second = await createServer(server.config, server.database, pino({ level: "silent" }), {
      sessionRecheckMs: BOUND_MS,
    });
    const user = await newUser();
    const onSecond = async () =>
      (
        await second.app.request(`/api/${user.userId}/tasks`, {
          headers: { Authorization: `Bearer ${user.jwt}` },
        })
      ).status;
    expect(await onSecond()).toBe(200);
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);

    await auth.signOut(user.sessionToken);
    await Promise.all([
      refusedWithin(onSecond, BOUND_MS + SLACK_MS),
      refusedWithin(() => listStatus(server, user.userId, user.jwt), BOUND_MS + SLACK_MS),
    ]);
  });
});

describe("password change", () => {
  it("ends every session, even when the client asks to keep them; the user carries on with the new session", async () => {
    const user = await newUser();
    const stolen = await auth.signIn(user.email, PASSWORD);
    const stolenJwt = await auth.jwt(stolen);
    expect(await listStatus(server, user.userId, stolenJwt)).toBe(200);
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);

    const newPassword = "another-horse-battery";
    const changed = await auth.changePassword(user.sessionToken, {
      currentPassword: PASSWORD,
      newPassword,
      revokeOtherSessions: false,
    });

    // Both the thief's JWT and the changer's old one die: Better Auth replaces every session.
    await Promise.all([
      refusedWithin(() => listStatus(server, user.userId, stolenJwt), BOUND_MS + SLACK_MS),
      refusedWithin(() => listStatus(server, user.userId, user.jwt), BOUND_MS + SLACK_MS),
    ]);
    expect(await auth.jwtStatus(stolen)).toBe(401);
    expect(await auth.jwtStatus(user.sessionToken)).toBe(401);

    // The changer got a new session (body and header) and works on with a new JWT.
    expect(changed.token).toEqual(expect.any(String));
    expect(changed.header).toEqual(expect.any(String));
    const fresh = await auth.jwt(changed.header ?? "");
    expect(decodePayload(fresh).sid).not.toBe(decodePayload(user.jwt).sid);
    expect(await listStatus(server, user.userId, fresh)).toBe(200);
    expect(await auth.signInStatus(user.email, PASSWORD)).toBe(401);
    expect(await auth.signInStatus(user.email, newPassword)).toBe(200);
  });

  it("a wrong current password changes nothing and ends nothing", async () => {
    const user = await newUser();
    const response = await server.request("/api/auth/change-password", {
      method: "POST",
      headers: {
        Origin: TEST_BASE_URL,
        "Content-Type": "application/json",
        Authorization: `Bearer ${user.sessionToken}`,
      },
      body: JSON.stringify({ currentPassword: "not-the-password", newPassword: "whatever-else" }),
    });
    expect(response.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, BOUND_MS + 50));
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);
  });
});

describe("revocation", () => {
  it("revoke-other-sessions: the other sessions' JWTs are refused, the caller's is not", async () => {
    const user = await newUser();
    const other = await auth.signIn(user.email, PASSWORD);
    const otherJwt = await auth.jwt(other);
    expect(await listStatus(server, user.userId, otherJwt)).toBe(200);

    await auth.revokeOtherSessions(user.sessionToken);
    await refusedWithin(() => listStatus(server, user.userId, otherJwt), BOUND_MS + SLACK_MS);
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);
  });

  it("revoke-session: the named session's JWT is refused", async () => {
    const user = await newUser();
    const other = await auth.signIn(user.email, PASSWORD);
    const otherJwt = await auth.jwt(other);
    expect(await listStatus(server, user.userId, otherJwt)).toBe(200);

    await auth.revokeSession(user.sessionToken, other);
    await refusedWithin(() => listStatus(server, user.userId, otherJwt), BOUND_MS + SLACK_MS);
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);
  });

  it("revoke-sessions: every session's JWT is refused", async () => {
    const user = await newUser();
    const other = await auth.signIn(user.email, PASSWORD);
    const otherJwt = await auth.jwt(other);
    expect(await listStatus(server, user.userId, otherJwt)).toBe(200);

    await auth.revokeSessions(user.sessionToken);
    await Promise.all([
      refusedWithin(() => listStatus(server, user.userId, otherJwt), BOUND_MS + SLACK_MS),
      refusedWithin(() => listStatus(server, user.userId, user.jwt), BOUND_MS + SLACK_MS),
    ]);
  });

  it("an expired session: its JWT is refused though the JWT itself has days left", async () => {
    const user = await newUser();
    expect(await listStatus(server, user.userId, user.jwt)).toBe(200);
    const sid = String(decodePayload(user.jwt).sid);
    await server.database.db
      .update(session)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(session.id, sid));
    await refusedWithin(() => listStatus(server, user.userId, user.jwt), BOUND_MS + SLACK_MS);
    expect(Number(decodePayload(user.jwt).exp)).toBeGreaterThan(nowSeconds() + 86_400);
  });
});

/** A token signed with the server's own key, with exactly these claims (Better Auth's signJWT). */
async function signedByServer(target: TestServer, claims: Record<string, unknown>) {
  const iat = nowSeconds();
  const { token } = await target.auth.api.signJWT({
    body: {
      payload: { iss: TEST_BASE_URL, aud: TEST_BASE_URL, iat, exp: iat + 3_600, ...claims },
    },
  });
  return token;
}

describe("tokens signed with our keys that do not name a live session of their subject", () => {
  it("without sid (issued before sessions were bound): refused with a hint to fetch a new one", async () => {
    const user = await newUser();
    const unbound = await signedByServer(server, { sub: user.userId });
    expect(decodePayload(unbound)).not.toHaveProperty("sid");
    const response = await server.call("GET", `/api/${user.userId}/tasks`, { token: unbound });
    expectRevoked(response);
    expect(response.body.detail).toMatch(/not bound to a session/);
    // Control: the same construction with the real sid is accepted.
    const bound = await signedByServer(server, {
      sub: user.userId,
      sid: decodePayload(user.jwt).sid,
    });
    expect(await listStatus(server, user.userId, bound)).toBe(200);
  });

  it("with another user's live session, a made-up one, or an empty one", async () => {
    const [alice, bob] = await Promise.all([newUser(), newUser()]);
    const bobSid = decodePayload(bob.jwt).sid;
    for (const sid of [bobSid, "no-such-session", "", 42]) {
      const token = await signedByServer(server, { sub: alice.userId, sid });
      expect(await listStatus(server, alice.userId, token), String(sid)).toBe(401);
    }
    expect(await listStatus(server, bob.userId, bob.jwt)).toBe(200);
  });
});

/** Counts reads of the session table sent to the database driver (either engine). */
function countSessionReads(database: DatabaseHandle) {
  const driver: { query: (...args: never[]) => unknown } =
    database.kind === "pglite" ? database.client : database.pool;
  const spy = vi.spyOn(driver, "query");
  const textOf = (query: unknown) =>
    typeof query === "string"
      ? query
      : typeof query === "object" && query !== null && "text" in query
        ? String(query.text)
        : "";
  return {
    count: () => spy.mock.calls.filter(([query]) => /from "session"/i.test(textOf(query))).length,
    restore: () => spy.mockRestore(),
  };
}

describe("cost: the real bound", () => {
  let realBound: TestServer;
  let client: ReturnType<typeof sessionClient>;

  beforeAll(async () => {
    realBound = await createTestServer();
    client = sessionClient(realBound.request, TEST_BASE_URL);
  });
  afterAll(() => realBound?.close());

  it(`is ${SESSION_RECHECK_MS / 1000} s, and within it one session read serves every request, concurrent ones included`, async () => {
    expect(SESSION_RECHECK_MS).toBe(30_000);
    const user = await newUser(client);
    const reads = countSessionReads(realBound.database);
    try {
      const concurrent = await Promise.all(
        Array.from({ length: 20 }, () => listStatus(realBound, user.userId, user.jwt)),
      );
      expect(concurrent.every((status) => status === 200)).toBe(true);
      expect(reads.count()).toBe(1);
      for (let i = 0; i < 100; i++) {
        expect(await listStatus(realBound, user.userId, user.jwt)).toBe(200);
      }
      // A new JWT of the same session (the client refreshed it) shares the entry too.
      const again = await client.jwt(user.sessionToken);
      const before = reads.count();
      expect(await listStatus(realBound, user.userId, again)).toBe(200);
      expect(reads.count() - before).toBe(0);
      expect(reads.count()).toBeLessThanOrEqual(2);
    } finally {
      reads.restore();
    }
  });
});

describe("a database that fails during the session check", () => {
  it("is a 503 with Retry-After, never a 401", async () => {
    const target = await createTestServer({}, { sessionRecheckMs: BOUND_MS });
    const client = sessionClient(target.request, TEST_BASE_URL);
    let closed = false;
    try {
      const [first, second] = [await newUser(client), await newUser(client)];
      // Keys are loaded and cached by the first token; the second one's session is not yet read.
      expect(await listStatus(target, first.userId, first.jwt)).toBe(200);
      await target.close();
      closed = true;
      const response = await target.call("GET", `/api/${second.userId}/tasks`, {
        token: second.jwt,
      });
      expectProblem(response, 503);
      expect(response.headers.get("retry-after")).toBeTruthy();
    } finally {
      if (!closed) await target.close();
    }
  });
});

describe("tokens our session table cannot judge (decision 019)", () => {
  it("HS256 (AUTH_ACCEPT_HS256): not bound; accepted for their lifetime, with or without sid", async () => {
    const hs = await createTestServer(
      { AUTH_ACCEPT_HS256: "true" },
      { sessionRecheckMs: BOUND_MS },
    );
    const client = sessionClient(hs.request, TEST_BASE_URL);
    try {
      const user = await newUser(client);
      const sid = decodePayload(user.jwt).sid;
      const iat = nowSeconds();
      const claims = {
        sub: user.userId,
        iss: TEST_BASE_URL,
        aud: TEST_BASE_URL,
        iat,
        exp: iat + 600,
      };
      const withSid = signHmac(TEST_SECRET, { ...claims, sid });
      const withoutSid = signHmac(TEST_SECRET, claims);

      await client.signOut(user.sessionToken);
      // Our own EdDSA token for that session dies...
      await refusedWithin(() => listStatus(hs, user.userId, user.jwt), BOUND_MS + SLACK_MS);
      // ...the shared-secret ones do not: whoever shares the secret keeps its sessions elsewhere.
      expect(await listStatus(hs, user.userId, withSid)).toBe(200);
      expect(await listStatus(hs, user.userId, withoutSid)).toBe(200);
    } finally {
      await hs.close();
    }
  });

  it("remote JWKS (AUTH_JWKS_URL): not bound here; the issuing server refuses them, this one accepts them until exp", async () => {
    const port = await freePort();
    const baseA = `http://127.0.0.1:${port}`;
    const issuer = await createTestServer(
      { BETTER_AUTH_URL: baseA },
      { sessionRecheckMs: BOUND_MS },
    );
    const listening = await listenInProcess(issuer.app, port);
    const verifier = await createTestServer(
      {
        BETTER_AUTH_URL: baseA,
        AUTH_JWKS_URL: `${baseA}/api/auth/jwks`,
        AUTH_JWT_ISSUER: baseA,
        AUTH_JWT_AUDIENCE: baseA,
      },
      { sessionRecheckMs: BOUND_MS },
    );
    try {
      const client = sessionClient(issuer.request, baseA);
      const user = await newUser(client);
      expect(await listStatus(verifier, user.userId, user.jwt)).toBe(200);
      expect(await listStatus(issuer, user.userId, user.jwt)).toBe(200);

      await client.signOut(user.sessionToken);
      await refusedWithin(() => listStatus(issuer, user.userId, user.jwt), BOUND_MS + SLACK_MS);
      await new Promise((resolve) => setTimeout(resolve, BOUND_MS + 50));
      expect(await listStatus(verifier, user.userId, user.jwt)).toBe(200);
    } finally {
      await listening.close();
      await issuer.close();
      await verifier.close();
    }
  });
});
