import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem } from "../support/problems";
import {
  createTestServer,
  TEST_BASE_URL,
  type TestServer,
  type TestUser,
} from "../support/test-server";

// Found by the OpenAPI fuzz: Better Auth puts a sign-in's callbackURL in the Location header, and
// a character a header cannot hold (beyond Latin-1) threw after the password check: a 500.

let server: TestServer;
let user: TestUser;

beforeAll(async () => {
  server = await createTestServer();
  user = await server.signUp("Callback");
});
afterAll(() => server.close());

function signIn(callbackURL: string) {
  return server.request("/api/auth/sign-in/email", {
    method: "POST",
    headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password, callbackURL }),
  });
}

describe("a sign-in's callbackURL", () => {
  it("with characters a header cannot hold is a 422 naming the field, not a 500", async () => {
    for (const callbackURL of ["/\u{1F642}", "/\u0100", "/\ud800", "/a\u0000b", "/\u00e9"]) {
      const response = await signIn(callbackURL);
      expectProblem(response, 422);
      expect(response.body.errors, JSON.stringify(callbackURL)).toEqual([
        { path: "callbackURL", message: expect.stringMatching(/ASCII/) },
      ]);
    }
    const query = await server.request(
      `/api/auth/sign-in/email?callbackURL=${encodeURIComponent("/\u{1F642}")}`,
      {
        method: "POST",
        headers: { Origin: TEST_BASE_URL, "Content-Type": "application/json" },
        body: JSON.stringify({ email: user.email, password: user.password }),
      },
    );
    expectProblem(query, 422);
  });

  it("percent-encoded, or plain ASCII, still signs in and redirects", async () => {
    for (const callbackURL of [`/${encodeURIComponent("\u{1F642}")}`, "/tasks?x=1"]) {
      const response = await signIn(callbackURL);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      expect(response.body).toMatchObject({ redirect: true, url: callbackURL });
    }
  });
});
