import { createServer } from "node:http";
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  SignJWT,
} from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createJwtVerifier, type JwtVerifierOptions } from "../../src/auth/verify-jwt";
import { HttpProblem } from "../../src/http/problem";
import {
  type AttackerServer,
  nowSeconds,
  publicKeyMaterials,
  signHmac,
  sleep,
  startJsonServer,
} from "../support/tokens";

/** createJwtVerifier on its own: no database, keys made here, a counting key loader. */

const ISSUER = "https://auth.example";
const AUDIENCE = "https://api.example";
const SECRET = "unit-test-secret-that-is-at-least-32-chars";

interface TestKey {
  kid: string;
  privateKey: CryptoKey;
  jwk: JWK;
}

async function makeKey(kid: string, alg = "EdDSA"): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A token as Better Auth signs it; `claims` overrides or (with undefined) removes claims. */
async function tokenFor(
  key: TestKey,
  options: { claims?: JWTPayload; header?: Record<string, unknown>; alg?: string } = {},
): Promise<string> {
  const iat = nowSeconds();
  const claims: JWTPayload = {
    sub: "user-1",
    iss: ISSUER,
    aud: AUDIENCE,
    iat,
    exp: iat + 600,
    ...options.claims,
  };
  const payload = Object.fromEntries(
    Object.entries(claims).filter(([, value]) => value !== undefined),
  );
  return new SignJWT(payload)
    .setProtectedHeader({
      alg: options.alg ?? "EdDSA",
      kid: key.kid,
      typ: "JWT",
      ...options.header,
    })
    .sign(key.privateKey);
}

/** A key loader that counts its calls and returns whatever `keys` holds at call time. */
function countingLoader(keys: JWK[]) {
  const loader = {
    calls: 0,
    keys,
    load: async (): Promise<JSONWebKeySet> => {
      loader.calls++;
      return { keys: [...loader.keys] };
    },
  };
  return loader;
}

function verifierWith(
  load: () => Promise<JSONWebKeySet>,
  options: Partial<JwtVerifierOptions> = {},
) {
  return createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    keys: { source: "local", load },
    ...options,
  });
}

async function expect401(promise: Promise<unknown>, detail?: RegExp) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, "expected a rejection").toBeInstanceOf(HttpProblem);
  if (!(error instanceof HttpProblem)) return;
  expect(error.status).toBe(401);
  expect(new Headers(error.options.headers).get("WWW-Authenticate") ?? "").toMatch(/^Bearer( |$)/);
  if (detail) expect(error.detail).toMatch(detail);
}

describe("createJwtVerifier: claims and algorithms", () => {
  it("accepts a valid EdDSA token and returns its sub and exp", async () => {
    const key = await makeKey("k1");
    const loader = countingLoader([key.jwk]);
    const verify = verifierWith(loader.load);
    const exp = nowSeconds() + 600;
    await expect(verify(await tokenFor(key, { claims: { sub: "alice", exp } }))).resolves.toEqual({
      sub: "alice",
      exp,
    });
    expect(loader.calls).toBe(1);
  });

  it("rejects wrong issuer or audience, missing or bad sub/iat/exp, future nbf, and a foreign key", async () => {
    const key = await makeKey("k1");
    const verify = verifierWith(countingLoader([key.jwk]).load);
    const cases: [string, JWTPayload][] = [
      ["wrong issuer", { iss: "https://evil.example" }],
      ["wrong audience", { aud: "https://evil.example" }],
      ["no issuer", { iss: undefined }],
      ["no audience", { aud: undefined }],
      ["no sub", { sub: undefined }],
      ["empty sub", { sub: "" }],
      ["no iat", { iat: undefined }],
      ["no exp", { exp: undefined }],
      ["expired", { iat: nowSeconds() - 100, exp: nowSeconds() - 10 }],
      ["not yet valid", { nbf: nowSeconds() + 600 }],
      ["issued in the future", { iat: nowSeconds() + 120, exp: nowSeconds() + 900 }],
      ["iat not a number", { iat: "soon" as unknown as number }],
    ];
    for (const [name, claims] of cases) {
      await expect401(verify(await tokenFor(key, { claims })), undefined).catch(
        (error: unknown) => {
          throw new Error(`${name}: ${String(error)}`);
        },
      );
    }
    const impostor = await makeKey("k1");
    await expect401(verify(await tokenFor(impostor)));
    // Control: the same construction with nothing changed passes, and so does a token from a
    // clock a little ahead of ours.
    await expect(verify(await tokenFor(key))).resolves.toMatchObject({ sub: "user-1" });
    const slightlyAhead = { iat: nowSeconds() + 30, exp: nowSeconds() + 900 };
    await expect(verify(await tokenFor(key, { claims: slightlyAhead }))).resolves.toMatchObject({
      sub: "user-1",
    });
  });

  it("pins the algorithms: an ES256 key in the key set does not make ES256 tokens valid", async () => {
    const ed = await makeKey("ed");
    const es = await makeKey("es", "ES256");
    const verify = verifierWith(countingLoader([ed.jwk, es.jwk]).load);
    await expect401(verify(await tokenFor(es, { alg: "ES256" })));
    await expect(verify(await tokenFor(ed))).resolves.toMatchObject({ sub: "user-1" });
  });

  it("HS256: refused without hs256Secret, accepted with it, refused with another secret", async () => {
    const key = await makeKey("k1");
    const claims = {
      sub: "user-1",
      iss: ISSUER,
      aud: AUDIENCE,
      iat: nowSeconds(),
      exp: nowSeconds() + 600,
    };
    const token = signHmac(SECRET, claims);

    await expect401(verifierWith(countingLoader([key.jwk]).load)(token));
    const withSecret = verifierWith(countingLoader([key.jwk]).load, { hs256Secret: SECRET });
    await expect(withSecret(token)).resolves.toEqual({ sub: "user-1", exp: claims.exp });
    await expect401(withSecret(signHmac(`${SECRET}!`, claims)));
    await expect401(withSecret(signHmac(SECRET, claims, {}, "sha512")));
  });

  it("alg confusion: HS256 keyed with the public Ed25519 key is refused, with or without hs256Secret", async () => {
    const key = await makeKey("k1");
    const claims = {
      sub: "user-1",
      iss: ISSUER,
      aud: AUDIENCE,
      iat: nowSeconds(),
      exp: nowSeconds() + 600,
    };
    for (const hs256Secret of [undefined, SECRET]) {
      const verify = verifierWith(countingLoader([key.jwk]).load, { hs256Secret });
      for (const { name, key: material } of publicKeyMaterials(
        key.jwk as Record<string, unknown>,
      )) {
        await expect401(verify(signHmac(material, claims, { kid: key.kid }))).catch(
          (error: unknown) => {
            throw new Error(`${name} (hs256 ${hs256Secret ? "on" : "off"}): ${String(error)}`);
          },
        );
      }
    }
  });

  it("a failure to load keys is not a 401 (the token may be fine), and the next call loads again", async () => {
    const key = await makeKey("k1");
    let calls = 0;
    const verify = verifierWith(async () => {
      calls++;
      if (calls === 1) throw new Error("database down");
      return { keys: [key.jwk] };
    });
    const token = await tokenFor(key);
    const error = await verify(token).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error instanceof HttpProblem && error.status === 401).toBe(false);
    await expect(verify(token)).resolves.toMatchObject({ sub: "user-1" });
    expect(calls).toBe(2);
  });
});

describe("createJwtVerifier: a key set that cannot be had is not the token's fault", () => {
  /** Rejection that is anything but a 401: the caller answers 5xx, and the client keeps its token. */
  async function expectNot401(promise: Promise<unknown>, label: string) {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error, `${label}: expected a rejection`).toBeInstanceOf(Error);
    const status = error instanceof HttpProblem ? error.status : 500;
    expect(status, `${label}: ${String(error)}`).toBeGreaterThanOrEqual(500);
  }

  it("local: a loader that returns a malformed key set", async () => {
    const key = await makeKey("k1");
    const verify = verifierWith(async () => ({ keys: "not a list" }) as unknown as JSONWebKeySet);
    await expectNot401(verify(await tokenFor(key)), "malformed local key set");
  });

  it("remote: a JWKS endpoint answering 503, 404 or a body that is not a key set", async () => {
    const key = await makeKey("k1");
    const token = await tokenFor(key);
    const failures: [number, string][] = [
      [503, '{"error":"unavailable"}'],
      [404, "Not Found"],
      [200, "not json"],
    ];
    for (const [status, body] of failures) {
      const jwks = await startRawServer(status, body);
      try {
        const verify = verifierWith(async () => ({ keys: [] }), {
          keys: { source: "remote", url: `${jwks.origin}/jwks` },
        });
        await expectNot401(verify(token), `JWKS answering ${status} ${body}`);
      } finally {
        await jwks.close();
      }
    }
  });
});

describe("createJwtVerifier: the verified-token cache", () => {
  it("returns the cached result for a token seen before, without loading keys again", async () => {
    const key = await makeKey("k1");
    const loader = countingLoader([key.jwk]);
    const verify = verifierWith(loader.load);
    const token = await tokenFor(key);
    const first = await verify(token);
    const second = await verify(token);
    // The very same object: the second answer came from the cache, not from a new verification.
    expect(second).toBe(first);
    expect(loader.calls).toBe(1);

    // A different token (another subject) is verified on its own, not confused with the first.
    const other = await verify(await tokenFor(key, { claims: { sub: "user-2" } }));
    expect(other).not.toBe(first);
    expect(other.sub).toBe("user-2");
    expect(loader.calls).toBe(1);
  });

  it("never caches a rejection: a bad token stays bad, a good one after it is fine", async () => {
    const key = await makeKey("k1");
    const verify = verifierWith(countingLoader([key.jwk]).load);
    const good = await tokenFor(key);
    const [header, payload] = good.split(".");
    const tampered = `${header}.${payload}.${"A".repeat(86)}`;
    await expect401(verify(tampered));
    await expect401(verify(tampered));
    await expect(verify(good)).resolves.toMatchObject({ sub: "user-1" });
  });

  it("never serves a token from the cache after its exp", async () => {
    const key = await makeKey("k1");
    const verify = verifierWith(countingLoader([key.jwk]).load);
    const exp = nowSeconds() + 2;
    const token = await tokenFor(key, { claims: { exp } });
    await expect(verify(token)).resolves.toEqual({ sub: "user-1", exp });
    await expect(verify(token)).resolves.toEqual({ sub: "user-1", exp });
    await sleep(Math.max(0, exp * 1000 - Date.now()) + 50);
    await expect401(verify(token), /expired/i);
  });
});

describe("createJwtVerifier: key reloads", () => {
  const COOLDOWN_MS = 300;

  it("an unknown kid reloads the key set once, then respects the cool-down", async () => {
    const key = await makeKey("k1");
    const stranger = await makeKey("stranger");
    const loader = countingLoader([key.jwk]);
    const verify = verifierWith(loader.load, { reloadCooldownMs: COOLDOWN_MS });
    await verify(await tokenFor(key));
    expect(loader.calls).toBe(1);

    const unknownKidTokens = (prefix: string, count: number) =>
      Promise.all(
        Array.from({ length: count }, (_, i) =>
          tokenFor(stranger, { header: { kid: `${prefix}-${i}` } }),
        ),
      );

    // Right after the first load: a flood costs at most one reload.
    for (const token of await unknownKidTokens("early", 30)) await expect401(verify(token));
    expect(loader.calls).toBeLessThanOrEqual(2);

    // After the cool-down: a concurrent flood of unknown kids reloads exactly once...
    await sleep(COOLDOWN_MS + 50);
    const before = loader.calls;
    const flood = await unknownKidTokens("flood", 50);
    await Promise.all(flood.map((token) => expect401(verify(token))));
    expect(loader.calls).toBe(before + 1);
    // ...and more of them straight after do not reload again.
    for (const token of await unknownKidTokens("more", 30)) await expect401(verify(token));
    expect(loader.calls).toBe(before + 1);

    // The known key kept working all along.
    await expect(verify(await tokenFor(key))).resolves.toMatchObject({ sub: "user-1" });
    expect(loader.calls).toBe(before + 1);
  });

  it("a rotated key (a new kid added to the key set) is accepted after a reload", async () => {
    const k1 = await makeKey("k1");
    const k2 = await makeKey("k2");
    const loader = countingLoader([k1.jwk]);
    const verify = verifierWith(loader.load, { reloadCooldownMs: COOLDOWN_MS });
    await verify(await tokenFor(k1));
    loader.keys = [k1.jwk, k2.jwk];
    await sleep(COOLDOWN_MS + 50);
    // Several requests with the new key at once: all accepted, one reload.
    const results = await Promise.all(
      [1, 2, 3].map(async (i) => verify(await tokenFor(k2, { claims: { sub: `rotated-${i}` } }))),
    );
    expect(results.map((result) => result.sub)).toEqual(["rotated-1", "rotated-2", "rotated-3"]);
    expect(loader.calls).toBe(2);
    // The old key still verifies (it is still published).
    await expect(verify(await tokenFor(k1, { claims: { sub: "old" } }))).resolves.toMatchObject({
      sub: "old",
    });
    expect(loader.calls).toBe(2);
  });

  it("an embedded jwk in the header is never used as the key", async () => {
    const key = await makeKey("k1");
    const attackerKey = await makeKey("k1");
    const verify = verifierWith(countingLoader([key.jwk]).load, { reloadCooldownMs: 0 });
    await expect401(verify(await tokenFor(attackerKey, { header: { jwk: attackerKey.jwk } })));
    await expect401(
      verify(await tokenFor(attackerKey, { header: { kid: "attacker", jwk: attackerKey.jwk } })),
    );
  });
});

describe("createJwtVerifier: key set age and outages (Date faked)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a key removed at the source stops being accepted once the key set is old (10 min)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const k1 = await makeKey("k1");
    const k2 = await makeKey("k2");
    const loader = countingLoader([k1.jwk, k2.jwk]);
    const verify = verifierWith(loader.load, { reloadCooldownMs: 1_000 });
    await expect(verify(await tokenFor(k1))).resolves.toMatchObject({ sub: "user-1" });
    expect(loader.calls).toBe(1);

    loader.keys = [k2.jwk];
    // Still inside the key set's lifetime: the old set (with k1) is used, no reload.
    vi.setSystemTime(Date.now() + 60_000);
    await expect(verify(await tokenFor(k1, { claims: { sub: "a" } }))).resolves.toMatchObject({
      sub: "a",
    });
    expect(loader.calls).toBe(1);

    vi.setSystemTime(Date.now() + 11 * 60_000);
    await expect401(verify(await tokenFor(k1, { claims: { sub: "b" } })));
    expect(loader.calls).toBe(2);
    await expect(verify(await tokenFor(k2, { claims: { sub: "c" } }))).resolves.toMatchObject({
      sub: "c",
    });
  });

  it("while the source is down, the last good key set keeps working, and reads stay bounded", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const k1 = await makeKey("k1");
    let calls = 0;
    let down = false;
    const verify = verifierWith(
      async () => {
        calls++;
        if (down) throw new Error("source down");
        return { keys: [k1.jwk] };
      },
      { reloadCooldownMs: 1_000 },
    );
    await verify(await tokenFor(k1));
    down = true;
    vi.setSystemTime(Date.now() + 11 * 60_000);
    for (let i = 0; i < 20; i++) {
      await expect(verify(await tokenFor(k1, { claims: { sub: `s${i}` } }))).resolves.toMatchObject(
        {
          sub: `s${i}`,
        },
      );
    }
    expect(calls).toBe(2);
  });

  it("when the first load fails, a later request loads again (no poisoned state)", async () => {
    const k1 = await makeKey("k1");
    let calls = 0;
    const verify = verifierWith(async () => {
      calls++;
      if (calls === 1) throw new Error("source down");
      return { keys: [k1.jwk] };
    });
    const token = await tokenFor(k1);
    const error = await verify(token).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error instanceof HttpProblem ? error.status : 500).toBeGreaterThanOrEqual(500);
    await expect(verify(token)).resolves.toMatchObject({ sub: "user-1" });
  });
});

describe("createJwtVerifier: remote key set", () => {
  const servers: AttackerServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  it("fetches the JWKS once, caches, bounds refetches on unknown kids, and picks up rotation", async () => {
    const k1 = await makeKey("k1");
    const k2 = await makeKey("k2");
    const stranger = await makeKey("stranger");
    let published: JWK[] = [k1.jwk];
    const jwksServer = await startJsonServer(() => ({ keys: published }));
    const attacker = await startJsonServer({ keys: [stranger.jwk] });
    servers.push(jwksServer, attacker);
    const cooldown = 300;
    const verify = verifierWith(async () => ({ keys: [] }), {
      keys: { source: "remote", url: `${jwksServer.origin}/jwks` },
      reloadCooldownMs: cooldown,
    });

    const token = await tokenFor(k1);
    const first = await verify(token);
    expect(await verify(token)).toBe(first);
    await verify(await tokenFor(k1, { claims: { sub: "user-2" } }));
    expect(jwksServer.requests).toEqual(["/jwks"]);

    // Tokens pointing at the attacker (jku, x5u, jwk) are refused without any request to it.
    for (const header of [
      { kid: "stranger", jku: `${attacker.origin}/jwks` },
      { kid: "stranger", x5u: `${attacker.origin}/x5u` },
      { kid: "stranger", jwk: stranger.jwk },
    ]) {
      await expect401(verify(await tokenFor(stranger, { header })));
    }
    expect(attacker.requests).toEqual([]);

    // A flood of unknown kids after the cool-down: at most one refetch.
    await sleep(cooldown + 50);
    const before = jwksServer.requests.length;
    const flood = await Promise.all(
      Array.from({ length: 30 }, (_, i) => tokenFor(stranger, { header: { kid: `x-${i}` } })),
    );
    await Promise.all(flood.map((t) => expect401(verify(t))));
    expect(jwksServer.requests.length - before).toBeLessThanOrEqual(1);

    // Rotation: a new published key is picked up after the cool-down.
    published = [k1.jwk, k2.jwk];
    await sleep(cooldown + 50);
    await expect(verify(await tokenFor(k2, { claims: { sub: "rotated" } }))).resolves.toMatchObject(
      {
        sub: "rotated",
      },
    );
  });
});

/** An HTTP server on 127.0.0.1 that answers every request with this status and body. */
async function startRawServer(status: number, body: string) {
  const server = createServer((_request, response) => {
    response.writeHead(status, { "content-type": "application/json" });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  return {
    origin: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
