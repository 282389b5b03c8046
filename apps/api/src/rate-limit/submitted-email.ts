const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json/i;

/**
 * The `email` field of a sign-in or sign-up body, read from a clone so that Better Auth still gets
 * the body. It parses exactly what Better Auth accepts there (JSON, or a form post: an attacker
 * must not be able to skip the per-account limits by changing the content type), and like it
 * takes the last of repeated form fields. Undefined when there is no string e-mail: Better Auth
 * then refuses the body without checking any password.
 */
export async function submittedEmail(request: Request): Promise<string | undefined> {
  const type = request.headers.get("content-type") ?? "";
  try {
    if (JSON_TYPE.test(type)) {
      const body: unknown = await request.clone().json();
      const email =
        typeof body === "object" && body !== null && "email" in body ? body.email : undefined;
      return typeof email === "string" ? email : undefined;
    }
    if (type.toLowerCase().includes("application/x-www-form-urlencoded")) {
      const email = (await request.clone().formData()).getAll("email").at(-1);
      return typeof email === "string" ? email : undefined;
    }
  } catch {
    // A body that does not parse is Better Auth's 400 to give; it checks no password.
  }
  return undefined;
}
