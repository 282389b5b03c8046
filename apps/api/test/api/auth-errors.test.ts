import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem } from "../support/problems";
import {
  createTestServer,
  TEST_BASE_URL,
  type TestServer,
  type TestUser,
} from "../support/test-server";

let server: TestServer;
let user: TestUser;
beforeAll(async () => {
  server = await createTestServer();
  user = await server.signUp();
});
afterAll(() => server.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  server.request(path, {
    method: "POST",
    headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("errors under /api/auth are problem+json, with Better Auth's code kept", () => {
  it("a wrong password: 401 INVALID_EMAIL_OR_PASSWORD", async () => {
    const response = await post("/api/auth/sign-in/email", {
      email: user.email,
      password: "not-the-password",
    });
    expectProblem(response, 401);
    expect(response.body.code).toBe("INVALID_EMAIL_OR_PASSWORD");
    // Better Auth's clients show `message`; it is the problem's detail.
    expect(response.body.message).toBe(response.body.detail);
    expect(response.body.detail.length).toBeGreaterThan(0);
  });

  it("an e-mail that has an account: 422 with Better Auth's code", async () => {
    const response = await post("/api/auth/sign-up/email", {
      email: user.email,
      password: "correct-horse-battery",
      name: "Again",
    });
    expectProblem(response, 422);
    expect(response.body.code).toMatch(/^USER_ALREADY_EXISTS/);
  });

  it("a malformed e-mail, a short password", async () => {
    const badEmail = await post("/api/auth/sign-up/email", {
      email: "not-an-email",
      password: "correct-horse-battery",
      name: "X",
    });
    expectProblem(badEmail, 400);
    expect(badEmail.body.code).toMatch(/^[A-Z_]+$/);

    const short = await post("/api/auth/sign-up/email", {
      email: `short-${Date.now()}@example.com`,
      password: "short",
      name: "X",
    });
    expect(short.body.code).toBe("PASSWORD_TOO_SHORT");
    expectProblem(short, short.status);
    expect(short.status).toBeGreaterThanOrEqual(400);
    expect(short.status).toBeLessThan(500);
  });

  it("no session: /token is 401", async () => {
    const token = await server.request("/api/auth/token", { headers: { Origin: TEST_BASE_URL } });
    expectProblem(token, 401);
    expect(typeof token.body.code).toBe("string");
  });

  it("an unknown auth route: 404 problem", async () => {
    expectProblem(await server.request("/api/auth/no-such-route"), 404);
  });

  it("a successful answer is left as Better Auth wrote it", async () => {
    const response = await post("/api/auth/sign-in/email", {
      email: user.email,
      password: user.password,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.body.user.email).toBe(user.email);
    expect(response.headers.get("set-auth-token")).toBeTruthy();
  });
});

describe("sign-up names", () => {
  const signUp = (name: string) =>
    post("/api/auth/sign-up/email", {
      email: `name-${Math.random().toString(36).slice(2)}@example.com`,
      password: "correct-horse-battery",
      name,
    });

  it("are refused when over 100 characters, blank, or not valid Unicode: 422, no account made", async () => {
    for (const name of ["n".repeat(101), "   ", "lone \ud800 surrogate", "nul \u0000 inside"]) {
      const response = await signUp(name);
      expectProblem(response, 422);
      expect(response.body.code).toBe("INVALID_NAME");
    }
  });

  it("of up to 100 characters, in any script, are kept as given", async () => {
    for (const name of ["n".repeat(100), "Zoë 🙂".padEnd(100, "é"), "山田 太郎"]) {
      const response = await signUp(name);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body.user.name).toBe(name);
    }
  });
});
