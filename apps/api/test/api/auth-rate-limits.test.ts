import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usePostgres } from "../../src/db/client";
import { rateLimitCounters } from "../../src/db/rate-limit-schema";
import { loadConfig } from "../../src/env";
import { CREDENTIAL_LIMITS, signInLimits } from "../../src/rate-limit/credential-limits";
import { createServer } from "../../src/server";
import { expectProblem } from "../support/problems";
import {
  createTestServer,
  type JsonResponse,
  TEST_BASE_URL,
  TEST_SECRET,
  type TestServer,
} from "../support/test-server";

// Issue 6, items 4 and 7: sign-in and sign-up limits that a spoofed X-Forwarded-For cannot
// escape, that one client's guesses never turn against another, and that answer 429 as
// problem+json with Retry-After. With TRUST_PROXY=1 the last X-Forwarded-For entry is the one our
// (simulated) proxy wrote, so each test plays distinct clients by choosing that entry; anything
// left of it is what the client itself sent.

const PASSWORD = "correct-horse-battery";
const WRONG = "wrong-horse-battery";
const { signInAccountAtAddress, signInAccount, signInAddress, signUpEmail, signUpAddress } =
  CREDENTIAL_LIMITS;

let server: TestServer;
let nextAddress = 1;
/** A client address no other test uses (TEST-NET-2, then TEST-NET-3). */
const newAddress = () => {
  const n = nextAddress++;
  return n < 250 ? `198.51.100.${n}` : `203.0.113.${n - 249}`;
};
const newEmail = () => `${randomUUID()}@example.com`;

function post(
  path: string,
  address: string | undefined,
  body: string,
  /** null: no Content-Type at all (a byte body, to which fetch adds none). */
  type: string | null = "application/json",
): Promise<JsonResponse> {
  const headers: Record<string, string> = { Origin: TEST_BASE_URL };
  if (type !== null) headers["Content-Type"] = type;
  if (address !== undefined) headers["X-Forwarded-For"] = address;
  const payload = type === null ? new TextEncoder().encode(body) : body;
  return server.request(path, { method: "POST", headers, body: payload });
}

const signIn = (address: string | undefined, email: string, password: string) =>
  post("/api/auth/sign-in/email", address, JSON.stringify({ email, password }));

const signUp = (address: string | undefined, email: string, password = PASSWORD) =>
  post("/api/auth/sign-up/email", address, JSON.stringify({ email, password, name: "Someone" }));

/** A user signed up from an address of its own, so that sign-up limits stay out of the way. */
async function newAccount(): Promise<{ email: string; token: string }> {
  const email = newEmail();
  const response = await signUp(newAddress(), email);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return { email, token: response.headers.get("set-auth-token") ?? "" };
}

async function failTimes(times: number, address: () => string, email: string) {
  for (let i = 0; i < times; i++) {
    const response = await signIn(address(), email, WRONG);
    expect(response.status, `attempt ${i + 1}: ${JSON.stringify(response.body)}`).toBe(401);
  }
}

function expectTooManyRequests(response: JsonResponse, windowSeconds: number) {
  expectProblem(response, 429);
  const retryAfter = response.headers.get("retry-after") ?? "";
  expect(retryAfter).toMatch(/^[1-9]\d*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(windowSeconds);
}

async function counterValue(key: string): Promise<number> {
  const [row] = await server.database.db
    .select({ count: rateLimitCounters.count })
    .from(rateLimitCounters)
    .where(eq(rateLimitCounters.key, key));
  return row?.count ?? 0;
}

beforeAll(async () => {
  server = await createTestServer({ AUTH_RATE_LIMIT: "true", TRUST_PROXY: "1" });
});
afterAll(() => server.close());

describe("sign-in: guesses at one account", () => {
  it(`refuses the guess after ${signInAccountAtAddress.max} failures from one address with a problem+json 429 and Retry-After`, async () => {
    const victim = await newAccount();
    const attacker = newAddress();
    await failTimes(signInAccountAtAddress.max, () => attacker, victim.email);
    expectTooManyRequests(
      await signIn(attacker, victim.email, WRONG),
      signInAccountAtAddress.windowSeconds,
    );
    // Even the right password: from here the address cannot tell an owner from an attacker.
    expectTooManyRequests(
      await signIn(attacker, victim.email, PASSWORD),
      signInAccountAtAddress.windowSeconds,
    );
  });

  it("brute force with a different spoofed X-Forwarded-For on each try is still limited", async () => {
    const victim = await newAccount();
    const attacker = newAddress();
    // The client writes whatever it likes left of the entry the proxy appends.
    const spoofed = () => `${newAddress()}, ${attacker}`;
    await failTimes(signInAccountAtAddress.max, spoofed, victim.email);
    for (let i = 0; i < 5; i++) {
      expectTooManyRequests(
        await signIn(spoofed(), victim.email, WRONG),
        signInAccountAtAddress.windowSeconds,
      );
    }
  });

  it("lets a neighbour behind the same address sign in to their own account while the attacker is limited", async () => {
    const [victim, neighbour] = [await newAccount(), await newAccount()];
    const office = newAddress();
    await failTimes(signInAccountAtAddress.max, () => office, victim.email);
    expect((await signIn(office, victim.email, WRONG)).status).toBe(429);
    for (let i = 0; i < 3; i++) {
      expect((await signIn(office, neighbour.email, PASSWORD)).status).toBe(200);
    }
  });

  it("does not limit the account's owner at another address", async () => {
    const victim = await newAccount();
    const attacker = newAddress();
    await failTimes(signInAccountAtAddress.max, () => attacker, victim.email);
    expect((await signIn(attacker, victim.email, WRONG)).status).toBe(429);
    expect((await signIn(newAddress(), victim.email, PASSWORD)).status).toBe(200);
  });

  it("refused guesses do not spend the address's budget for its other users", async () => {
    const victim = await newAccount();
    const attacker = newAddress();
    await failTimes(signInAccountAtAddress.max, () => attacker, victim.email);
    for (let i = 0; i < 20; i++) {
      expect((await signIn(attacker, victim.email, WRONG)).status).toBe(429);
    }
    const addressKey = signInLimits(attacker, undefined)[0]?.key ?? "";
    expect(await counterValue(addressKey)).toBe(signInAccountAtAddress.max);
  });

  it(`limits an account after ${signInAccount.max} failures spread over as many addresses`, async () => {
    const victim = await newAccount();
    await failTimes(signInAccount.max, newAddress, victim.email);
    expectTooManyRequests(
      await signIn(newAddress(), victim.email, WRONG),
      signInAccount.windowSeconds,
    );
  });

  it("counts the account however its e-mail is spelt or the body is sent", async () => {
    const victim = await newAccount();
    const attacker = newAddress();
    const shouted = victim.email.toUpperCase();
    await failTimes(2, () => attacker, shouted);
    await failTimes(1, () => attacker, victim.email);
    // A form post is refused before any password is checked (bodies are JSON only)…
    const form = new URLSearchParams([
      ["email", victim.email],
      ["password", WRONG],
    ]);
    const refused = await post(
      "/api/auth/sign-in/email",
      attacker,
      form.toString(),
      "application/x-www-form-urlencoded",
    );
    expect(refused.status).toBe(415);
    // …and a JSON body without a Content-Type still counts.
    for (let i = 0; i < 2; i++) {
      const untyped = await post(
        "/api/auth/sign-in/email",
        attacker,
        JSON.stringify({ email: ` ${victim.email} `, password: WRONG }),
        null,
      );
      expect(untyped.status).toBeGreaterThanOrEqual(400);
    }
    expect((await signIn(attacker, victim.email, WRONG)).status).toBe(429);
  });

  it("does not count successful sign-ins", async () => {
    const user = await newAccount();
    const address = newAddress();
    for (let i = 0; i < signInAccountAtAddress.max + 3; i++) {
      expect((await signIn(address, user.email, PASSWORD)).status).toBe(200);
    }
    await failTimes(signInAccountAtAddress.max, () => address, user.email);
    expect((await signIn(address, user.email, PASSWORD)).status).toBe(429);
  });

  it("a burst of parallel guesses cannot pass the check together", async () => {
    const victim = await newAccount();
    const attacker = newAddress();
    const answers = await Promise.all(
      Array.from({ length: 12 }, () => signIn(attacker, victim.email, WRONG)),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    // The answers themselves in the message: a status other than 401 or 429 needs its body.
    const seen = JSON.stringify(answers.map((answer) => [answer.status, answer.body]));
    expect(
      statuses.filter((status) => status === 401),
      seen,
    ).toHaveLength(signInAccountAtAddress.max);
    expect(
      statuses.filter((status) => status === 429),
      seen,
    ).toHaveLength(12 - signInAccountAtAddress.max);
  });
});

describe("sign-in: one address", () => {
  it(`limits ${signInAddress.max} failures at any accounts from one address, and no other address`, async () => {
    const campus = newAddress();
    // Bodies Better Auth refuses before any password work still count as failures: cheap here.
    for (let i = 0; i < signInAddress.max; i++) {
      const response = await post(
        "/api/auth/sign-in/email",
        campus,
        JSON.stringify({ email: newEmail() }),
      );
      expect(response.status, `attempt ${i + 1}`).toBe(400);
    }
    expectTooManyRequests(await signIn(campus, newEmail(), WRONG), signInAddress.windowSeconds);
    const elsewhere = await newAccount();
    expect((await signIn(newAddress(), elsewhere.email, PASSWORD)).status).toBe(200);
  });

  it("puts the addresses of one IPv6 /64 in one bucket, and another /64 in its own", async () => {
    const victim = await newAccount();
    const hosts = ["2001:db8:7:1::a", "2001:db8:7:1::b", "2001:db8:7:1:ffff::1", "2001:db8:7:1::c"];
    let i = 0;
    await failTimes(
      signInAccountAtAddress.max,
      () => hosts[i++ % hosts.length] ?? "",
      victim.email,
    );
    expect((await signIn("2001:db8:7:1:abcd::42", victim.email, WRONG)).status).toBe(429);
    expect((await signIn("2001:db8:7:2::a", victim.email, WRONG)).status).toBe(401);
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address", async () => {
    const victim = await newAccount();
    const address = newAddress();
    await failTimes(signInAccountAtAddress.max, () => `::ffff:${address}`, victim.email);
    expect((await signIn(address, victim.email, WRONG)).status).toBe(429);
  });
});

describe("sign-up", () => {
  it(`limits attempts for one e-mail to ${signUpEmail.max}, from any addresses`, async () => {
    const email = newEmail();
    expect((await signUp(newAddress(), email)).status).toBe(200);
    for (let i = 1; i < signUpEmail.max; i++) {
      const response = await signUp(newAddress(), email);
      expect(response.status).toBe(422);
    }
    expectTooManyRequests(await signUp(newAddress(), email), signUpEmail.windowSeconds);
  });

  it(`limits attempts from one address to ${signUpAddress.max}, every answer counted`, async () => {
    const address = newAddress();
    for (let i = 0; i < signUpAddress.max; i++) {
      // Too short a password: refused at once, and still counted (a probe is a probe).
      expect((await signUp(address, newEmail(), "short")).status).toBe(400);
    }
    expectTooManyRequests(await signUp(address, newEmail()), signUpAddress.windowSeconds);
    expect((await signUp(newAddress(), newEmail())).status).toBe(200);
  });
});

describe("password checks with a session", () => {
  const verify = (address: string, token: string, password: string) =>
    server.request("/api/auth/verify-password", {
      method: "POST",
      headers: {
        Origin: TEST_BASE_URL,
        "Content-Type": "application/json",
        "X-Forwarded-For": address,
        Authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ password }),
    });

  it("limits guesses at the current password per user, whatever the address", async () => {
    const user = await newAccount();
    expect((await verify(newAddress(), user.token, PASSWORD)).status).toBe(200);
    for (let i = 0; i < CREDENTIAL_LIMITS.passwordCheckUser.max; i++) {
      expect((await verify(newAddress(), user.token, WRONG)).status).toBe(400);
    }
    expectTooManyRequests(
      await verify(newAddress(), user.token, PASSWORD),
      CREDENTIAL_LIMITS.passwordCheckUser.windowSeconds,
    );
  });

  it("Better Auth's own limit (change-password: 3 in 10 s per address) answers as problem+json with Retry-After", async () => {
    const user = await newAccount();
    const address = newAddress();
    const change = () =>
      server.request("/api/auth/change-password", {
        method: "POST",
        headers: {
          Origin: TEST_BASE_URL,
          "Content-Type": "application/json",
          "X-Forwarded-For": address,
          Authorization: `Bearer ${user.token}`,
        },
        body: JSON.stringify({ currentPassword: WRONG, newPassword: "another-horse-battery" }),
      });
    for (let i = 0; i < 3; i++) expect((await change()).status).toBe(400);
    expectTooManyRequests(await change(), 10);
  });
});

describe("the address Better Auth sees", () => {
  it("is the one we decided, never a header the client wrote", async () => {
    const address = newAddress();
    const signedUp = await server.request("/api/auth/sign-up/email", {
      method: "POST",
      headers: {
        Origin: TEST_BASE_URL,
        "Content-Type": "application/json",
        "X-Forwarded-For": `${newAddress()}, ${address}`,
        "X-Client-Address": newAddress(),
      },
      body: JSON.stringify({ email: newEmail(), password: PASSWORD, name: "Someone" }),
    });
    expect(signedUp.status).toBe(200);
    const sessions = await server.request("/api/auth/list-sessions", {
      headers: {
        Origin: TEST_BASE_URL,
        Authorization: `Bearer ${signedUp.headers.get("set-auth-token")}`,
      },
    });
    expect(sessions.body).toEqual([expect.objectContaining({ ipAddress: address })]);
  });
});

describe("without TRUST_PROXY", () => {
  let direct: TestServer;
  beforeAll(async () => {
    direct = await createTestServer({ AUTH_RATE_LIMIT: "true" });
  });
  afterAll(() => direct?.close());

  it("ignores X-Forwarded-For: a different spoofed value on each try is still one client", async () => {
    const email = newEmail();
    const created = await direct.request("/api/auth/sign-up/email", {
      method: "POST",
      headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json" },
      body: JSON.stringify({ email, password: PASSWORD, name: "Victim" }),
    });
    expect(created.status).toBe(200);
    const guess = () =>
      direct.request("/api/auth/sign-in/email", {
        method: "POST",
        headers: {
          Origin: TEST_BASE_URL,
          "Content-Type": "application/json",
          "X-Forwarded-For": newAddress(),
          "X-Client-Address": newAddress(),
        },
        body: JSON.stringify({ email, password: WRONG }),
      });
    for (let i = 0; i < signInAccountAtAddress.max; i++) expect((await guess()).status).toBe(401);
    expectTooManyRequests(await guess(), signInAccountAtAddress.windowSeconds);
  });
});

describe("with the limits off (the default outside production)", () => {
  let open: TestServer;
  beforeAll(async () => {
    open = await createTestServer({ TRUST_PROXY: "1" });
  });
  afterAll(() => open?.close());

  it("lets the test suites sign up and sign in as often as they like", async () => {
    const user = await open.signUp();
    for (let i = 0; i < signInAccountAtAddress.max + 2; i++) {
      const response = await open.request("/api/auth/sign-in/email", {
        method: "POST",
        headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json" },
        body: JSON.stringify({ email: user.email, password: WRONG }),
      });
      expect(response.status).toBe(401);
    }
  });
});

describe("with the database down", () => {
  it("limited routes answer 503 with Retry-After, never a 500", async () => {
    // Nothing listens on port 1: every count fails to reach the store.
    const url = "postgres://postgres@127.0.0.1:1/x";
    const config = loadConfig({
      NODE_ENV: "test",
      BETTER_AUTH_URL: TEST_BASE_URL,
      BETTER_AUTH_SECRET: TEST_SECRET,
      DATABASE_URL: url,
      AUTH_RATE_LIMIT: "true",
      WEB_DIST_DIR: "/nonexistent-web-dist",
      LOG_LEVEL: "silent",
    });
    const database = usePostgres(url);
    try {
      const { app } = await createServer(config, database, pino({ level: "silent" }));
      const cases: [string, string, string?][] = [
        ["POST", "/api/auth/sign-in/email", JSON.stringify({ email: newEmail(), password: WRONG })],
        [
          "POST",
          "/api/auth/sign-up/email",
          JSON.stringify({ email: newEmail(), password: PASSWORD, name: "X" }),
        ],
        // Better Auth's own limiter counts in the same store.
        ["GET", "/api/auth/get-session"],
      ];
      for (const [method, path, body] of cases) {
        const response = await app.request(path, {
          method,
          headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json" },
          body,
        });
        const text = await response.text();
        expectProblem(
          { status: response.status, headers: response.headers, body: JSON.parse(text) },
          503,
        );
        expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      }
    } finally {
      await database.close().catch(() => {});
    }
  });
});
