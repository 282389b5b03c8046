import type { JsonResponse } from "./test-server";

/**
 * Better Auth's session routes as a client calls them, over any transport: a TestServer's
 * in-process `request`, or real HTTP to a server process (`httpRequester`). Sessions are carried
 * as `Authorization: Bearer <session token>` (the bearer plugin), never as cookies.
 */

export type Requester = (path: string, init?: RequestInit) => Promise<JsonResponse>;

/** fetch against a listening server, read like TestServer.request. */
export function httpRequester(base: string): Requester {
  return async (path, init = {}) => {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    const type = response.headers.get("content-type") ?? "";
    const body = text && type.includes("json") ? JSON.parse(text) : text || undefined;
    return { status: response.status, headers: response.headers, body };
  };
}

export function sessionClient(request: Requester, origin: string) {
  const headers = (sessionToken?: string) => ({
    Origin: origin,
    "Content-Type": "application/json",
    ...(sessionToken ? { Authorization: `Bearer ${sessionToken}` } : {}),
  });
  const post = (path: string, body: unknown, sessionToken?: string) =>
    request(`/api/auth${path}`, {
      method: "POST",
      headers: headers(sessionToken),
      body: JSON.stringify(body),
    });
  const expectOk = (response: JsonResponse, what: string) => {
    if (response.status !== 200) {
      throw new Error(`${what} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  };
  /** The new session token a response hands out (bearer plugin's `set-auth-token`). */
  const sessionTokenOf = (response: JsonResponse, what: string) => {
    const token = response.headers.get("set-auth-token");
    if (!token) throw new Error(`${what} returned no set-auth-token header`);
    return token;
  };

  return {
    async signUp(email: string, password: string) {
      const response = expectOk(
        await post("/sign-up/email", { email, password, name: "S" }),
        "sign-up",
      );
      return {
        userId: String(response.body.user.id),
        sessionToken: sessionTokenOf(response, "sign-up"),
      };
    },
    /** A new session for an existing user (another device). */
    async signIn(email: string, password: string) {
      const response = expectOk(await post("/sign-in/email", { email, password }), "sign-in");
      return sessionTokenOf(response, "sign-in");
    },
    /** Status of a sign-in attempt, for checking that an old password no longer works. */
    signInStatus: async (email: string, password: string) =>
      (await post("/sign-in/email", { email, password })).status,
    async signOut(sessionToken: string) {
      expectOk(await post("/sign-out", {}, sessionToken), "sign-out");
    },
    /** Changes the password; resolves to the session token Better Auth hands back, if any. */
    async changePassword(
      sessionToken: string,
      body: { currentPassword: string; newPassword: string; revokeOtherSessions?: boolean },
    ) {
      const response = expectOk(
        await post("/change-password", body, sessionToken),
        "change-password",
      );
      return {
        token: typeof response.body.token === "string" ? response.body.token : null,
        header: response.headers.get("set-auth-token"),
      };
    },
    /** Ends another session of the same user, named by its `set-auth-token` value. */
    async revokeSession(sessionToken: string, revoked: string) {
      // set-auth-token is the signed cookie value ("<token>.<signature>"); the route wants the token.
      const token = decodeURIComponent(revoked).split(".")[0];
      expectOk(await post("/revoke-session", { token }, sessionToken), "revoke-session");
    },
    async revokeSessions(sessionToken: string) {
      expectOk(await post("/revoke-sessions", {}, sessionToken), "revoke-sessions");
    },
    async revokeOtherSessions(sessionToken: string) {
      expectOk(await post("/revoke-other-sessions", {}, sessionToken), "revoke-other-sessions");
    },
    /** A JWT for the session (GET /api/auth/token). */
    async jwt(sessionToken: string): Promise<string> {
      const response = expectOk(
        await request("/api/auth/token", { headers: headers(sessionToken) }),
        "/token",
      );
      return String(response.body.token);
    },
    /** Status of GET /api/auth/token: 401 once the session is gone. */
    jwtStatus: async (sessionToken: string) =>
      (await request("/api/auth/token", { headers: headers(sessionToken) })).status,
    /** The session's id (what a JWT's `sid` names). */
    async sessionId(sessionToken: string): Promise<string> {
      const response = expectOk(
        await request("/api/auth/get-session", { headers: headers(sessionToken) }),
        "get-session",
      );
      return String(response.body.session.id);
    },
  };
}

export type SessionClient = ReturnType<typeof sessionClient>;

/**
 * Calls `status()` until it answers 401, and resolves to the milliseconds that took; fails when
 * it does not happen within `withinMs`. Then checks the refusal holds (no flapping back to 200).
 */
export async function refusedWithin(
  status: () => Promise<number>,
  withinMs: number,
  pollMs = 25,
): Promise<number> {
  const started = Date.now();
  const seen: number[] = [];
  for (;;) {
    const answer = await status();
    seen.push(answer);
    if (answer === 401) break;
    if (Date.now() - started > withinMs) {
      throw new Error(`still not refused after ${withinMs} ms (answers: ${[...new Set(seen)]})`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  const elapsed = Date.now() - started;
  for (let i = 0; i < 3; i++) {
    const again = await status();
    if (again !== 401) throw new Error(`refused, then answered ${again}`);
  }
  return elapsed;
}
