import { randomUUID } from "node:crypto";

/** A user signed up over real HTTP against a running server (see server-process.ts). */
export interface HttpUser {
  id: string;
  email: string;
  password: string;
  /** Better Auth's session token (`set-auth-token`), sent as `Authorization: Bearer`. */
  sessionToken: string;
  jwt: string;
}

/**
 * Signs up a new user at `base` (where the server listens) and trades the session for a JWT.
 * `origin` is the server's BETTER_AUTH_URL, which Better Auth expects as the Origin header.
 */
export async function signUpOverHttp(base: string, origin: string): Promise<HttpUser> {
  const email = `${randomUUID()}@example.com`;
  const password = "correct-horse-battery";
  const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/json" },
    body: JSON.stringify({ email, password, name: "Process User" }),
  });
  if (signUp.status !== 200) throw new Error(`sign-up answered ${signUp.status}`);
  const { user } = (await signUp.json()) as { user: { id: string } };
  const sessionToken = signUp.headers.get("set-auth-token");
  if (!sessionToken) throw new Error("sign-up returned no set-auth-token header");
  const token = await fetch(`${base}/api/auth/token`, {
    headers: { Authorization: `Bearer ${sessionToken}`, Origin: origin },
  });
  if (token.status !== 200) throw new Error(`/api/auth/token answered ${token.status}`);
  const { token: jwt } = (await token.json()) as { token: string };
  return { id: user.id, email, password, sessionToken, jwt };
}
