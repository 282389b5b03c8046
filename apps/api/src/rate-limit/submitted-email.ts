/**
 * The `email` field of a sign-in or sign-up body, read from a clone so that Better Auth still gets
 * the body. Bodies under /api are JSON or refused (json-bodies-only.ts); one sent with no
 * Content-Type is read as JSON too, so leaving the header out cannot skip the per-account limits.
 * Undefined when there is no string e-mail: Better Auth then refuses the body without checking
 * any password.
 */
export async function submittedEmail(request: Request): Promise<string | undefined> {
  try {
    const body: unknown = await request.clone().json();
    const email =
      typeof body === "object" && body !== null && "email" in body ? body.email : undefined;
    return typeof email === "string" ? email : undefined;
  } catch {
    // A body that does not parse is Better Auth's 400 to give; it checks no password.
    return undefined;
  }
}
