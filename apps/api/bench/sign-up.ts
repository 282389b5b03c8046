/** A user of a benchmark run, and the headers that act as them. */
export interface BenchUser {
  id: string;
  headers: Record<string, string>;
}

/**
 * Signs `who` up through the API at `base` (email `${who}@example.com`) and trades the session for
 * a JWT: the headers send it as a bearer token, with JSON bodies.
 */
export async function signUp(base: string, who: string): Promise<BenchUser> {
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { Origin: base, "Content-Type": "application/json" },
    body: JSON.stringify({
      email: `${who}@example.com`,
      password: "benchmark-password",
      name: who,
    }),
  });
  if (!response.ok) throw new Error(`sign-up of ${who}: ${response.status}`);
  const { user } = (await response.json()) as { user: { id: string } };
  const session = response.headers.get("set-auth-token") ?? "";
  const tokenResponse = await fetch(`${base}/api/auth/token`, {
    headers: { Authorization: `Bearer ${session}`, Origin: base },
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  return {
    id: user.id,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
  };
}
