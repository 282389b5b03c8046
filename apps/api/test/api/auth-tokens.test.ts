import { createServer as createHttpServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listenInProcess } from "../support/listen";
import {
  createTestServer,
  type JsonResponse,
  TEST_BASE_URL,
  TEST_SECRET,
  type TestServer,
  type TestUser,
} from "../support/test-server";
import {
  type AttackerServer,
  decodeHeader,
  decodePayload,
  foreignEd25519Key,
  freePort,
  type JsonObject,
  kidOf,
  nowSeconds,
  publicKeyMaterials,
  signEdDSA,
  signHmac,
  sleep,
  startJsonServer,
  unsignedToken,
  withHeader,
  withPayload,
  withSignatureOf,
} from "../support/tokens";

/**
 * Token verification through the real app: real tokens from Better Auth, forged ones by hand.
 * Every failure must be a 401 problem with `WWW-Authenticate: Bearer`; a valid token for someone
 * else's path is a 403.
 */

let server: TestServer;
let alice: TestUser;
let bob: TestUser;
/** An attacker's HTTP server: serves the attacker's JWKS on every path, records every hit. */
let attacker: AttackerServer;
const attackerKey = foreignEd25519Key("attacker-key");

beforeAll(async () => {
  attacker = await startJsonServer({ keys: [attackerKey.publicJwk] });
  server = await createTestServer();
  [alice, bob] = await Promise.all([server.signUp("Alice"), server.signUp("Bob")]);
});
afterAll(async () => {
  await server?.close();
  await attacker?.close();
});

const tasksPath = (userId: string) => `/api/${userId}/tasks`;

function expectUnauthorized(response: JsonResponse) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.headers.get("www-authenticate") ?? "").toMatch(/^Bearer( |$)/);
  expect(response.body).toMatchObject({ status: 401, title: "Unauthorized" });
  expect(typeof response.body.detail).toBe("string");
}

/** GET the user's task list with this token (or these headers). */
function listWith(target: TestServer, userId: string, token: string) {
  return target.call("GET", tasksPath(userId), { token });
}

/** Valid claims for a user of the default test server, as Better Auth would sign them. */
function claimsFor(userId: string, overrides: JsonObject = {}): JsonObject {
  const iat = nowSeconds();
  return { sub: userId, iss: TEST_BASE_URL, aud: TEST_BASE_URL, iat, exp: iat + 600, ...overrides };
}

async function publicJwks(target: TestServer): Promise<JsonObject[]> {
  const response = await target.request("/api/auth/jwks");
  expect(response.status).toBe(200);
  return response.body.keys;
}

describe("a real token from Better Auth", () => {
  it("is an EdDSA JWT with the contract's claims, and opens its owner's tasks", async () => {
    const header = decodeHeader(alice.jwt);
    expect(header.alg).toBe("EdDSA");
    expect(typeof header.kid).toBe("string");
    const payload = decodePayload(alice.jwt);
    expect(payload).toMatchObject({ sub: alice.id, iss: TEST_BASE_URL, aud: TEST_BASE_URL });
    expect(payload.exp).toEqual(expect.any(Number));
    expect(payload.iat).toEqual(expect.any(Number));
    expect(payload).not.toHaveProperty("email");

    const response = await listWith(server, alice.id, alice.jwt);
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
  });

  it("is accepted on every use", async () => {
    for (let i = 0; i < 5; i++) {
      expect((await listWith(server, bob.id, bob.jwt)).status).toBe(200);
    }
  });
});

describe("403: a valid token for another user's path", () => {
  it("is forbidden on every route and method, and the other user's data is unchanged", async () => {
    const owner = await server.signUp("Owner");
    const task = await server.createTask(owner, { title: "Owner's task" });
    const base = tasksPath(owner.id);
    const attempts: [string, string, unknown][] = [
      ["GET", base, undefined],
      ["POST", base, { title: "planted" }],
      ["GET", `${base}/${task.id}`, undefined],
      ["PUT", `${base}/${task.id}`, { title: "hijacked" }],
      ["PATCH", `${base}/${task.id}/complete`, undefined],
      ["DELETE", `${base}/${task.id}`, undefined],
      ["POST", `${base}/complete-all`, undefined],
      ["DELETE", `${base}/completed`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      const response = await server.call(method, path, { token: alice.jwt, body });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.body).toMatchObject({ status: 403 });
    }
    const after = await listWith(server, owner.id, owner.jwt);
    expect(after.status).toBe(200);
    expect(after.body).toEqual([task]);
  });
});

describe("401 on every task route", () => {
  it("without a token or with a forged one, for every route and method, and nothing changes", async () => {
    const task = await server.createTask(alice, { title: "guarded" });
    const base = tasksPath(alice.id);
    const forged = withPayload(alice.jwt, {
      ...decodePayload(alice.jwt),
      exp: nowSeconds() + 9_999,
    });
    const routes: [string, string, unknown][] = [
      ["GET", base, undefined],
      ["POST", base, { title: "planted" }],
      ["GET", `${base}/${task.id}`, undefined],
      ["PUT", `${base}/${task.id}`, { title: "changed" }],
      ["PATCH", `${base}/${task.id}/complete`, undefined],
      ["DELETE", `${base}/${task.id}`, undefined],
      ["POST", `${base}/complete-all`, undefined],
      ["DELETE", `${base}/completed`, undefined],
      ["GET", `${base}/999999`, undefined],
      ["GET", `${base}/not-a-number`, undefined],
    ];
    for (const [method, path, body] of routes) {
      for (const token of [undefined, forged]) {
        const response = await server.call(method, path, { token, body });
        expect(response.status, `${method} ${path} ${token ? "forged" : "no token"}`).toBe(401);
        expectUnauthorized(response);
      }
    }
    const after = await server.call("GET", `${base}/${task.id}`, { token: alice.jwt });
    expect(after.body).toEqual(task);
    expect((await listWith(server, alice.id, alice.jwt)).body).toEqual([task]);
    await server.call("DELETE", `${base}/${task.id}`, { token: alice.jwt });
  });
});

describe("401: no usable Authorization header", () => {
  it("no Authorization header at all (RFC 6750: a challenge without an error code)", async () => {
    const response = await server.call("GET", tasksPath(alice.id));
    expectUnauthorized(response);
    expect(response.headers.get("www-authenticate")).not.toContain("error=");
    // A token that was sent but is bad names the error.
    const forged = await listWith(server, alice.id, withSignatureOf(alice.jwt, bob.jwt));
    expect(forged.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("other schemes, or the JWT without a scheme", async () => {
    for (const value of [
      `Basic ${Buffer.from(`${alice.email}:${alice.password}`).toString("base64")}`,
      `Token ${alice.jwt}`,
      alice.jwt,
      "Bearer",
      "Bearer ",
    ]) {
      const response = await server.call("GET", tasksPath(alice.id), {
        headers: { Authorization: value },
      });
      expectUnauthorized(response);
    }
  });

  it("Bearer with garbage", async () => {
    for (const garbage of [
      "garbage",
      "a.b",
      "a.b.c",
      "a.b.c.d.e",
      "....",
      `${alice.jwt}x`,
      `${alice.jwt}.extra`,
      alice.jwt.split("").reverse().join(""),
      "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiIxIn0.%%%",
    ]) {
      expectUnauthorized(await listWith(server, alice.id, garbage));
    }
  });

  it("Better Auth's session token (not a JWT), as a bearer or as a cookie", async () => {
    expect(alice.sessionToken.split(".").length).not.toBe(3);
    expectUnauthorized(await listWith(server, alice.id, alice.sessionToken));
    const cookie = await server.call("GET", tasksPath(alice.id), {
      headers: { Cookie: `better-auth.session_token=${alice.sessionToken}` },
    });
    expectUnauthorized(cookie);
  });
});

describe("a fresh server", () => {
  it("whose first verification is a forged token still accepts the first real one", async () => {
    const fresh = await createTestServer();
    try {
      // Keys are read before Better Auth has signed anything: the key set must not stay empty.
      const forged = signEdDSA(
        foreignEd25519Key().privateKey,
        { kid: "guess" },
        claimsFor("nobody"),
      );
      expectUnauthorized(await listWith(fresh, "nobody", forged));
      const user = await fresh.signUp();
      expect((await listWith(fresh, user.id, user.jwt)).status).toBe(200);
    } finally {
      await fresh.close();
    }
  });
});

describe("a JWT is not a session", () => {
  it("cannot be exchanged at Better Auth for a fresh JWT or a session", async () => {
    const token = await server.request("/api/auth/token", {
      headers: { Authorization: `Bearer ${alice.jwt}`, Origin: TEST_BASE_URL },
    });
    expect(token.status).toBe(401);
    const session = await server.request("/api/auth/get-session", {
      headers: { Authorization: `Bearer ${alice.jwt}`, Origin: TEST_BASE_URL },
    });
    expect(session.body ?? null).toBeNull();
    expect(session.headers.get("set-auth-jwt")).toBeNull();
    // Control: the session token does get one.
    expect((await server.getJwt(alice.sessionToken)).split(".")).toHaveLength(3);
  });
});

describe("401: forged EdDSA tokens", () => {
  it("alg none (unsigned) with the real claims, in any spelling, with or without a signature", async () => {
    const claims = decodePayload(alice.jwt);
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      expectUnauthorized(await listWith(server, alice.id, unsignedToken(claims, alg)));
      const keptSignature = withSignatureOf(unsignedToken(claims, alg), alice.jwt);
      expectUnauthorized(await listWith(server, alice.id, keptSignature));
    }
    const noneWithKid = withHeader(alice.jwt, { alg: "none", typ: "JWT", kid: kidOf(alice.jwt) });
    expectUnauthorized(await listWith(server, alice.id, noneWithKid));
  });

  it("a changed payload under the old signature (sub swapped to another user, exp extended)", async () => {
    const claims = decodePayload(alice.jwt);
    const asBob = withPayload(alice.jwt, { ...claims, sub: bob.id });
    expectUnauthorized(await listWith(server, bob.id, asBob));
    expectUnauthorized(
      await server.call("POST", tasksPath(bob.id), { token: asBob, body: { title: "x" } }),
    );

    const longer = withPayload(alice.jwt, { ...claims, exp: nowSeconds() + 10 * 365 * 86_400 });
    expectUnauthorized(await listWith(server, alice.id, longer));

    // Nothing was written for bob, and alice's own token still works.
    expect((await listWith(server, bob.id, bob.jwt)).body).toEqual([]);
    expect((await listWith(server, alice.id, alice.jwt)).status).toBe(200);
  });

  it("a changed header under the old signature", async () => {
    const header = decodeHeader(alice.jwt);
    expectUnauthorized(
      await listWith(server, alice.id, withHeader(alice.jwt, { ...header, typ: "at+jwt" })),
    );
    expectUnauthorized(await listWith(server, alice.id, withHeader(alice.jwt, { alg: "EdDSA" })));
  });

  it("another real token's signature", async () => {
    expectUnauthorized(await listWith(server, alice.id, withSignatureOf(alice.jwt, bob.jwt)));
  });

  it("a foreign Ed25519 key carrying the real kid (or no kid, or its own)", async () => {
    const foreign = foreignEd25519Key();
    const claims = decodePayload(alice.jwt);
    const realKid = kidOf(alice.jwt);
    for (const header of [{ kid: realKid }, {}, { kid: foreign.publicJwk.kid }]) {
      const token = signEdDSA(foreign.privateKey, header, claims);
      expectUnauthorized(await listWith(server, alice.id, token));
    }
    // Fresh claims too, not only the copied ones.
    const fresh = signEdDSA(foreign.privateKey, { kid: realKid }, claimsFor(alice.id));
    expectUnauthorized(await listWith(server, alice.id, fresh));
  });

  it("an expired token (a server whose JWT_EXPIRES_IN is 3s), even after it was accepted once", async () => {
    const shortLived = await createTestServer({ JWT_EXPIRES_IN: "3s" });
    try {
      const user = await shortLived.signUp();
      const { exp, iat } = decodePayload(user.jwt);
      if (typeof exp !== "number" || typeof iat !== "number") throw new Error("no exp/iat");
      expect(exp - iat).toBe(3);
      // Accepted while valid (and so now in the verified-token cache)...
      expect((await listWith(shortLived, user.id, user.jwt)).status).toBe(200);
      // ...and refused once `exp` has passed, cache or not.
      await sleep(Math.max(0, exp * 1000 - Date.now()) + 150);
      const response = await listWith(shortLived, user.id, user.jwt);
      expectUnauthorized(response);
      expect(response.body.detail).toMatch(/expired/i);
      expectUnauthorized(
        await shortLived.call("POST", tasksPath(user.id), {
          token: user.jwt,
          body: { title: "late" },
        }),
      );
    } finally {
      await shortLived.close();
    }
  });

  it("a real token whose issuer is not the configured one (AUTH_JWT_ISSUER)", async () => {
    const strict = await createTestServer({ AUTH_JWT_ISSUER: "https://issuer.example" });
    try {
      const user = await strict.signUp();
      expect(decodePayload(user.jwt).iss).toBe(TEST_BASE_URL);
      expectUnauthorized(await listWith(strict, user.id, user.jwt));
    } finally {
      await strict.close();
    }
  });

  it("a real token whose audience is not the configured one (AUTH_JWT_AUDIENCE)", async () => {
    const strict = await createTestServer({ AUTH_JWT_AUDIENCE: "https://audience.example" });
    try {
      const user = await strict.signUp();
      expect(decodePayload(user.jwt).aud).toBe(TEST_BASE_URL);
      expectUnauthorized(await listWith(strict, user.id, user.jwt));
    } finally {
      await strict.close();
    }
  });
});

describe("HS256 (shared secret)", () => {
  let hsServer: TestServer;
  let carol: TestUser;

  beforeAll(async () => {
    hsServer = await createTestServer({ AUTH_ACCEPT_HS256: "true" });
    carol = await hsServer.signUp("Carol");
  });
  afterAll(() => hsServer?.close());

  it("is refused when AUTH_ACCEPT_HS256 is not enabled", async () => {
    expect(server.config.auth.acceptHs256).toBe(false);
    const token = signHmac(TEST_SECRET, claimsFor(alice.id));
    expectUnauthorized(await listWith(server, alice.id, token));
    expectUnauthorized(
      await server.call("POST", tasksPath(alice.id), { token, body: { title: "x" } }),
    );
  });

  it("is accepted when AUTH_ACCEPT_HS256=true, for reads and writes", async () => {
    const token = signHmac(TEST_SECRET, claimsFor(carol.id));
    const list = await listWith(hsServer, carol.id, token);
    expect(list.status).toBe(200);
    const created = await hsServer.call("POST", tasksPath(carol.id), {
      token,
      body: { title: "via HS256" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user_id: carol.id, title: "via HS256" });
    // Real EdDSA tokens keep working beside it.
    expect((await listWith(hsServer, carol.id, carol.jwt)).body).toHaveLength(1);
  });

  it("is 403, not 200, for another user's path", async () => {
    const token = signHmac(TEST_SECRET, claimsFor(carol.id));
    const response = await listWith(hsServer, alice.id, token);
    expect(response.status).toBe(403);
  });

  it("signed with a different secret is refused even when enabled", async () => {
    for (const secret of [
      `${TEST_SECRET}x`,
      TEST_SECRET.slice(1),
      "",
      "another-secret-of-more-than-32-characters",
    ]) {
      expectUnauthorized(await listWith(hsServer, carol.id, signHmac(secret, claimsFor(carol.id))));
    }
  });

  it("HS384 and HS512 with the right secret are refused (algorithms are pinned)", async () => {
    for (const hash of ["sha384", "sha512"] as const) {
      const token = signHmac(TEST_SECRET, claimsFor(carol.id), {}, hash);
      expectUnauthorized(await listWith(hsServer, carol.id, token));
    }
  });

  it("a token missing sub, iat or exp is refused, as are bad claim values", async () => {
    const cases: [string, JsonObject][] = [
      ["no sub", { sub: undefined }],
      ["no iat", { iat: undefined }],
      ["no exp", { exp: undefined }],
      ["empty sub", { sub: "" }],
      ["numeric sub", { sub: 42 }],
      ["string exp", { exp: String(nowSeconds() + 600) }],
      ["expired", { iat: nowSeconds() - 600, exp: nowSeconds() - 60 }],
      ["not yet valid", { nbf: nowSeconds() + 600 }],
      ["wrong issuer", { iss: "https://evil.example" }],
      ["wrong audience", { aud: "https://evil.example" }],
      ["audience list without ours", { aud: ["https://evil.example"] }],
      ["no issuer", { iss: undefined }],
      ["no audience", { aud: undefined }],
    ];
    for (const [name, overrides] of cases) {
      const claims = Object.fromEntries(
        Object.entries(claimsFor(carol.id, overrides)).filter(([, value]) => value !== undefined),
      );
      const path = tasksPath(carol.id);
      const response = await hsServer.call("GET", path, { token: signHmac(TEST_SECRET, claims) });
      expect(response.status, name).toBe(401);
      expectUnauthorized(response);
    }
    // The same construction with nothing removed is accepted: the cases above fail for their claim.
    expect(
      (await listWith(hsServer, carol.id, signHmac(TEST_SECRET, claimsFor(carol.id)))).status,
    ).toBe(200);
  });

  it("alg confusion: HS256 keyed with the server's public Ed25519 key is refused", async () => {
    for (const [target, user] of [
      [server, alice],
      [hsServer, carol],
    ] as const) {
      const [jwk] = await publicJwks(target);
      if (!jwk) throw new Error("the server published no key");
      expect(jwk).toMatchObject({ kty: "OKP", crv: "Ed25519" });
      for (const { name, key } of publicKeyMaterials(jwk)) {
        for (const hash of ["sha256", "sha512"] as const) {
          const token = signHmac(key, claimsFor(user.id), { kid: jwk.kid }, hash);
          const response = await listWith(target, user.id, token);
          expect(response.status, `${name} ${hash}`).toBe(401);
          expectUnauthorized(response);
        }
      }
    }
  });

  it("key-pointing headers (jku, x5u, jwk) are ignored: 401 and no request leaves the server", async () => {
    const before = attacker.requests.length;
    const token = signHmac(TEST_SECRET.split("").reverse().join(""), claimsFor(carol.id), {
      jku: `${attacker.origin}/jwks`,
      x5u: `${attacker.origin}/x5u`,
      jwk: attackerKey.publicJwk,
    });
    expectUnauthorized(await listWith(hsServer, carol.id, token));
    for (const header of attackerHeaders(kidOf(carol.jwt))) {
      const forged = signEdDSA(attackerKey.privateKey, header, claimsFor(carol.id));
      expectUnauthorized(await listWith(hsServer, carol.id, forged));
    }
    await sleep(50);
    expect(attacker.requests.slice(before)).toEqual([]);
  });
});

/** Headers that try to make the verifier fetch or trust the attacker's key. */
function attackerHeaders(realKid: string): JsonObject[] {
  const jku = `${attacker.origin}/jwks`;
  const x5u = `${attacker.origin}/x5u`;
  const jwk = attackerKey.publicJwk;
  return [
    { kid: jwk.kid, jku },
    { kid: jwk.kid, jwk },
    { kid: jwk.kid, x5u },
    { jwk },
    { jku },
    { kid: realKid, jku, jwk, x5u },
    { kid: jwk.kid, jku, jwk, x5u },
  ];
}

describe("key-pointing headers (jku, x5u, jwk)", () => {
  it("a token signed by an attacker key announced in the header is 401, and the attacker server gets zero requests", async () => {
    const before = attacker.requests.length;
    // The attacker server really serves the key: one direct fetch proves it answers.
    const probe = await fetch(`${attacker.origin}/jwks`);
    expect(await probe.json()).toEqual({ keys: [attackerKey.publicJwk] });
    expect(attacker.requests.length).toBe(before + 1);

    for (const header of attackerHeaders(kidOf(alice.jwt))) {
      const token = signEdDSA(attackerKey.privateKey, header, claimsFor(alice.id));
      const response = await listWith(server, alice.id, token);
      expect(response.status, JSON.stringify(header)).toBe(401);
      expectUnauthorized(response);
    }
    await sleep(50);
    expect(attacker.requests.length).toBe(before + 1);
  });
});

/** A test server listening on 127.0.0.1 for real, counting hits on its JWKS endpoint. */
async function listen(target: TestServer, port: number) {
  let jwksHits = 0;
  const listening = await listenInProcess(
    {
      fetch: (request: Request) => {
        if (new URL(request.url).pathname === "/api/auth/jwks") jwksHits++;
        return target.app.fetch(request);
      },
    },
    port,
  );
  return { jwksHits: () => jwksHits, close: listening.close };
}

/** Sign-up and JWT over real HTTP, as a browser or curl would. */
async function signUpOverHttp(baseUrl: string) {
  const email = `${crypto.randomUUID()}@example.com`;
  const signUp = await fetch(`${baseUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { Origin: baseUrl, "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: "correct-horse-battery", name: "Remote" }),
  });
  expect(signUp.status).toBe(200);
  const sessionToken = signUp.headers.get("set-auth-token");
  if (!sessionToken) throw new Error("no set-auth-token");
  const { user } = (await signUp.json()) as { user: { id: string } };
  const tokenResponse = await fetch(`${baseUrl}/api/auth/token`, {
    headers: { Authorization: `Bearer ${sessionToken}`, Origin: baseUrl },
  });
  expect(tokenResponse.status).toBe(200);
  const { token } = (await tokenResponse.json()) as { token: string };
  return { id: user.id, jwt: token };
}

describe("remote JWKS (AUTH_JWKS_URL): tokens of another instance", () => {
  let serverA: TestServer;
  let serverB: TestServer;
  let listeningA: Awaited<ReturnType<typeof listen>>;
  let baseA: string;
  let remoteUser: { id: string; jwt: string };

  beforeAll(async () => {
    const port = await freePort();
    baseA = `http://127.0.0.1:${port}`;
    serverA = await createTestServer({ BETTER_AUTH_URL: baseA });
    listeningA = await listen(serverA, port);
    remoteUser = await signUpOverHttp(baseA);
    // B: its own database and its own Better Auth (its own keys), but it trusts A's JWKS. Its
    // base URL is A's too, so that its own tokens carry A's issuer and audience and differ only
    // in the key; CORS_ORIGINS lets the harness (Origin: TEST_BASE_URL) sign up on it.
    serverB = await createTestServer({
      BETTER_AUTH_URL: baseA,
      CORS_ORIGINS: TEST_BASE_URL,
      AUTH_JWKS_URL: `${baseA}/api/auth/jwks`,
      AUTH_JWT_ISSUER: baseA,
      AUTH_JWT_AUDIENCE: baseA,
    });
  });
  afterAll(async () => {
    await listeningA?.close();
    await serverA?.close();
    await serverB?.close();
  });

  it("B accepts A's token for A's user: reads and writes (tasks have no foreign key to users)", async () => {
    expect(decodePayload(remoteUser.jwt)).toMatchObject({
      iss: baseA,
      aud: baseA,
      sub: remoteUser.id,
    });
    // A itself accepts it over HTTP.
    const onA = await fetch(`${baseA}/api/${remoteUser.id}/tasks`, {
      headers: { Authorization: `Bearer ${remoteUser.jwt}` },
    });
    expect(onA.status).toBe(200);

    const list = await listWith(serverB, remoteUser.id, remoteUser.jwt);
    expect(list.status).toBe(200);
    expect(list.body).toEqual([]);
    const created = await serverB.call("POST", tasksPath(remoteUser.id), {
      token: remoteUser.jwt,
      body: { title: "stored on B" },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ user_id: remoteUser.id, title: "stored on B" });
    const again = await listWith(serverB, remoteUser.id, remoteUser.jwt);
    expect(again.body).toEqual([created.body]);
    expect(listeningA.jwksHits()).toBeGreaterThanOrEqual(1);
    // And still 403 for a path that is not the token's subject.
    expect((await listWith(serverB, alice.id, remoteUser.jwt)).status).toBe(403);
  });

  it("B refuses its own locally signed tokens (different keys), and forged ones", async () => {
    const local = await serverB.signUp("Local on B");
    expect(decodePayload(local.jwt)).toMatchObject({ iss: baseA, aud: baseA });
    expect(kidOf(local.jwt)).not.toBe(kidOf(remoteUser.jwt));
    expectUnauthorized(await listWith(serverB, local.id, local.jwt));

    const claims = decodePayload(remoteUser.jwt);
    const foreign = foreignEd25519Key();
    expectUnauthorized(
      await listWith(
        serverB,
        remoteUser.id,
        signEdDSA(foreign.privateKey, { kid: kidOf(remoteUser.jwt) }, claims),
      ),
    );
    const otherSub = withPayload(remoteUser.jwt, { ...claims, sub: local.id });
    expectUnauthorized(await listWith(serverB, local.id, otherSub));
    expectUnauthorized(await listWith(serverB, remoteUser.id, unsignedToken(claims)));
    expectUnauthorized(
      await listWith(
        serverB,
        remoteUser.id,
        signHmac(TEST_SECRET, { ...claims, iat: nowSeconds() }),
      ),
    );
  });

  it("B ignores jku/x5u/jwk headers, and a flood of unknown kids costs A at most one JWKS fetch", async () => {
    const before = attacker.requests.length;
    const hitsBefore = listeningA.jwksHits();
    const realKid = kidOf(remoteUser.jwt);
    const tokens = [
      ...attackerHeaders(realKid).map((header) =>
        signEdDSA(attackerKey.privateKey, header, decodePayload(remoteUser.jwt)),
      ),
      ...Array.from({ length: 20 }, (_, i) =>
        signEdDSA(attackerKey.privateKey, { kid: `made-up-${i}` }, decodePayload(remoteUser.jwt)),
      ),
    ];
    const responses = await Promise.all(
      tokens.map((token) => listWith(serverB, remoteUser.id, token)),
    );
    for (const response of responses) expectUnauthorized(response);
    // One after another too: a concurrent flood shares one fetch even without a cool-down.
    for (let i = 0; i < 10; i++) {
      const token = signEdDSA(
        attackerKey.privateKey,
        { kid: `one-by-one-${i}` },
        decodePayload(remoteUser.jwt),
      );
      expectUnauthorized(await listWith(serverB, remoteUser.id, token));
    }
    await sleep(50);
    expect(attacker.requests.slice(before)).toEqual([]);
    expect(listeningA.jwksHits() - hitsBefore).toBeLessThanOrEqual(1);
    // The real token still works afterwards.
    expect((await listWith(serverB, remoteUser.id, remoteUser.jwt)).status).toBe(200);
  });
});

describe("remote JWKS that cannot be reached", () => {
  const claims = () => claimsFor("someone", { iss: TEST_BASE_URL, aud: TEST_BASE_URL });

  it("connection refused: a 5xx problem, not a 401 (the token may be fine) and not a hang", async () => {
    const port = await freePort();
    const target = await createTestServer({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks` });
    try {
      const token = signEdDSA(foreignEd25519Key().privateKey, { kid: "k" }, claims());
      const response = await listWith(target, "someone", token);
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      await target.close();
    }
  });

  it("a JWKS server that answers an error status or a broken body: a 5xx problem, not a 401", async () => {
    const outcomes: { jwks: string; status: number; type: string | null }[] = [];
    for (const [status, body] of [
      [503, '{"error":"unavailable"}'],
      [502, "<html>Bad Gateway</html>"],
      [404, "Not Found"],
      [200, "this is not json"],
      [200, '{"keys":"not a list"}'],
    ] as const) {
      const failing = createHttpServer((_request, response) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(body);
      });
      await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
      const address = failing.address();
      if (address === null || typeof address === "string") throw new Error("no address");
      const target = await createTestServer({
        AUTH_JWKS_URL: `http://127.0.0.1:${address.port}/jwks`,
      });
      try {
        const token = signEdDSA(foreignEd25519Key().privateKey, { kid: "k" }, claims());
        const response = await listWith(target, "someone", token);
        outcomes.push({
          jwks: `${status} ${body}`,
          status: response.status,
          type: response.headers.get("content-type"),
        });
      } finally {
        await target.close();
        failing.closeAllConnections();
        await new Promise<void>((resolve) => failing.close(() => resolve()));
      }
    }
    // Every outcome listed, so that a failure shows all of them at once.
    expect(outcomes.filter((outcome) => outcome.status < 500)).toEqual([]);
    for (const outcome of outcomes) expect(outcome.type).toBe("application/problem+json");
  });

  it("a JWKS URL that redirects to the attacker's key set is not followed", async () => {
    const before = attacker.requests.length;
    const redirecting = createHttpServer((_request, response) => {
      response.writeHead(302, { location: `${attacker.origin}/jwks` });
      response.end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    const address = redirecting.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    const target = await createTestServer({
      AUTH_JWKS_URL: `http://127.0.0.1:${address.port}/jwks`,
    });
    try {
      const token = signEdDSA(attackerKey.privateKey, { kid: attackerKey.publicJwk.kid }, claims());
      const response = await listWith(target, "someone", token);
      expect(response.status).not.toBe(200);
      expect(response.status).toBeGreaterThanOrEqual(500);
      await sleep(50);
      expect(attacker.requests.slice(before)).toEqual([]);
    } finally {
      await target.close();
      redirecting.closeAllConnections();
      await new Promise<void>((resolve) => redirecting.close(() => resolve()));
    }
  });

  it("a JWKS server that never answers: 503 with Retry-After after the fetch timeout", async () => {
    const hanging = createHttpServer(() => {
      // never respond
    });
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const address = hanging.address();
    if (address === null || typeof address === "string") throw new Error("no address");
    const target = await createTestServer({
      AUTH_JWKS_URL: `http://127.0.0.1:${address.port}/jwks`,
    });
    try {
      const token = signEdDSA(foreignEd25519Key().privateKey, { kid: "k" }, claims());
      const started = Date.now();
      const response = await listWith(target, "someone", token);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(response.status).toBe(503);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("retry-after")).toBeTruthy();
    } finally {
      await target.close();
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
  });
});
