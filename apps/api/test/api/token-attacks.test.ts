import type { KeyObject } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realSigningKey } from "../support/real-signing-key";
import {
  createTestServer,
  type JsonResponse,
  TEST_BASE_URL,
  type TestServer,
  type TestUser,
} from "../support/test-server";
import {
  type AttackerServer,
  decodePayload,
  foreignEd25519Key,
  type JsonObject,
  nowSeconds,
  signEdDSA,
  sleep,
  startJsonServer,
} from "../support/tokens";

/**
 * The RFC 8725 (JWT best current practices) list, as far as auth-tokens.test.ts does not already
 * cover it, through the real app: tokens signed by the server's real key whose claims or headers
 * are wrong (a signature proves who signed, not that the token is acceptable), key-pointing
 * headers that must fetch nothing, and tokens of 8 KB to 1 MB. Every refusal is a 401 problem.
 */

let server: TestServer;
let alice: TestUser;
let real: { kid: string; key: KeyObject };
/** Serves an attacker's key set on every path and records every request it gets. */
let attacker: AttackerServer;
const attackerKey = foreignEd25519Key("attacker-key");

beforeAll(async () => {
  attacker = await startJsonServer({ keys: [attackerKey.publicJwk] });
  server = await createTestServer();
  alice = await server.signUp("Alice");
  real = await realSigningKey(server);
});
afterAll(async () => {
  await server?.close();
  await attacker?.close();
});

/** Claims as Better Auth issues them for Alice, with overrides (undefined removes a claim). */
function claims(overrides: JsonObject = {}): JsonObject {
  const iat = nowSeconds();
  const all: JsonObject = {
    sub: alice.id,
    // The session her real JWT is bound to (decision 019).
    sid: decodePayload(alice.jwt).sid,
    iss: TEST_BASE_URL,
    aud: TEST_BASE_URL,
    iat,
    exp: iat + 600,
    ...overrides,
  };
  return Object.fromEntries(Object.entries(all).filter(([, value]) => value !== undefined));
}

const signedByServer = (payload: JsonObject, header: JsonObject = {}) =>
  signEdDSA(real.key, { kid: real.kid, ...header }, payload);

function listWith(token: string) {
  return server.call("GET", `/api/${alice.id}/tasks`, { token });
}

function expectUnauthorized(response: JsonResponse, what: string) {
  expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(401);
  expect(response.headers.get("content-type"), what).toBe("application/problem+json");
  expect(response.headers.get("www-authenticate") ?? "", what).toMatch(/^Bearer( |$)/);
  expect(response.body, what).toMatchObject({ status: 401, title: "Unauthorized" });
}

describe("tokens the server's real key signed, with claims it must still refuse", () => {
  it("control: the same construction with the right claims is accepted", async () => {
    const token = signedByServer(claims());
    expect(decodePayload(token)).toMatchObject({ sub: alice.id, iss: TEST_BASE_URL });
    expect((await listWith(token)).status).toBe(200);
  });

  it("a missing claim: sub, iat, exp, iss or aud", async () => {
    for (const name of ["sub", "iat", "exp", "iss", "aud"]) {
      expectUnauthorized(await listWith(signedByServer(claims({ [name]: undefined }))), name);
    }
  });

  it("a claim of the wrong type or value", async () => {
    const cases: [string, JsonObject][] = [
      ["empty sub", { sub: "" }],
      ["numeric sub", { sub: 42 }],
      ["null sub", { sub: null }],
      ["array sub", { sub: [alice.id] }],
      ["string exp", { exp: String(nowSeconds() + 600) }],
      ["string iat", { iat: String(nowSeconds()) }],
      ["expired", { iat: nowSeconds() - 700, exp: nowSeconds() - 100 }],
      ["wrong issuer", { iss: "https://evil.example" }],
      ["issuer with a trailing slash", { iss: `${TEST_BASE_URL}/` }],
      ["wrong audience", { aud: "https://evil.example" }],
      ["audience list without ours", { aud: ["https://evil.example"] }],
    ];
    for (const [name, overrides] of cases) {
      expectUnauthorized(await listWith(signedByServer(claims(overrides))), name);
    }
  });

  it("not valid yet: nbf in the future", async () => {
    for (const ahead of [120, 600, 86_400]) {
      const token = signedByServer(claims({ nbf: nowSeconds() + ahead }));
      expectUnauthorized(await listWith(token), `nbf +${ahead}s`);
    }
  });

  it("issued in the future: iat two minutes or more ahead (beyond any clock skew)", async () => {
    for (const ahead of [120, 600, 86_400, 10 * 365 * 86_400]) {
      const iat = nowSeconds() + ahead;
      const token = signedByServer(claims({ iat, exp: iat + 600 }));
      expectUnauthorized(await listWith(token), `iat +${ahead}s`);
    }
  });

  it("but a clock a few seconds ahead of ours is tolerated", async () => {
    const iat = nowSeconds() + 5;
    expect((await listWith(signedByServer(claims({ iat, exp: iat + 600 })))).status).toBe(200);
  });
});

describe("headers the verifier must refuse, on tokens the real key signed", () => {
  it("another spelling of the algorithm, or alg none with the real kid", async () => {
    for (const alg of ["eddsa", "EDDSA", "Ed25519", "ES256", "none", ""]) {
      expectUnauthorized(await listWith(signedByServer(claims(), { alg })), `alg ${alg}`);
    }
  });

  it("a crit header naming extensions it does not understand (RFC 7515 §4.1.11)", async () => {
    for (const header of [
      { crit: ["x-unknown"] },
      { crit: ["exp"] },
      { crit: [] },
      { b64: false, crit: ["b64"] },
    ]) {
      expectUnauthorized(await listWith(signedByServer(claims(), header)), JSON.stringify(header));
    }
  });

  it("a kid that is not one of the server's keys: injection text, huge, or not a string", async () => {
    const kids = [
      "../../etc/passwd",
      "' or 1=1--",
      "x".repeat(10_000),
      42,
      null,
      { kid: real.kid },
      [real.kid],
      "",
    ];
    for (const kid of kids) {
      const response = await listWith(signedByServer(claims(), { kid }));
      expectUnauthorized(response, `kid ${JSON.stringify(kid).slice(0, 40)}`);
    }
    // The real kid still works afterwards: odd kids neither broke nor replaced the key set.
    expect((await listWith(signedByServer(claims()))).status).toBe(200);
  });
});

describe("key-pointing headers: the attacker's local listener receives nothing", () => {
  it("jku, x5u, jwk and x5c naming the attacker's key, with the real kid or the attacker's", async () => {
    const before = attacker.requests.length;
    const jku = `${attacker.origin}/jwks`;
    const x5u = `${attacker.origin}/cert.pem`;
    const jwk = attackerKey.publicJwk;
    // A self-signed certificate is not needed: the header is never to be read at all.
    const x5c = ["MIIBfake"];
    const headers: JsonObject[] = [
      { kid: real.kid, jku },
      { kid: real.kid, x5u },
      { kid: real.kid, jwk },
      { kid: real.kid, x5c },
      { kid: jwk.kid, jku, x5u, jwk, x5c },
      { jku: `${attacker.origin}/redirect?to=${encodeURIComponent(jku)}` },
    ];
    for (const header of headers) {
      const token = signEdDSA(attackerKey.privateKey, header, claims());
      expectUnauthorized(await listWith(token), JSON.stringify(Object.keys(header)));
    }
    // The same headers on a token the real key signed change nothing either way: ignored.
    const ignored = signedByServer(claims(), { jku, x5u, jwk });
    expect((await listWith(ignored)).status).toBe(200);
    await sleep(100);
    expect(attacker.requests.slice(before)).toEqual([]);
  });
});

describe("huge tokens (in-process, where no header limit applies)", () => {
  const sizes = [8 * 1024, 64 * 1024, 1024 * 1024];

  it("forged ones of 8 KB, 64 KB and 1 MB are a quick 401", async () => {
    for (const size of sizes) {
      const token = signEdDSA(
        attackerKey.privateKey,
        { kid: real.kid },
        claims({ pad: "x".repeat(size) }),
      );
      const started = performance.now();
      expectUnauthorized(await listWith(token), `${size} bytes`);
      expect(performance.now() - started, `${size} bytes`).toBeLessThan(1_000);
      const garbage = `${"a".repeat(size)}.${"b".repeat(16)}.c`;
      expectUnauthorized(await listWith(garbage), `${size} bytes of garbage`);
    }
  });

  it("an oversized token is refused even when validly signed (no token of ours is near 4 KiB)", async () => {
    for (const size of sizes) {
      const token = signedByServer(claims({ pad: "x".repeat(size) }));
      expectUnauthorized(await listWith(token), `${size} bytes, real signature`);
    }
  });
});
