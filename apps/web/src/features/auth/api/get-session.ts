import { authRequest } from "./auth-request";

export interface SessionUser {
  id: string;
  name: string;
  email: string;
}

/** What the web app uses of Better Auth's `get-session` answer. */
export interface Session {
  user: SessionUser;
}

function text(value: unknown, key: string): string | null {
  if (typeof value !== "object" || value === null) return null;
  const found: unknown = Reflect.get(value, key);
  return typeof found === "string" ? found : null;
}

/** Better Auth answers `null` when signed out, else `{ session, user }`. */
export function parseSession(data: unknown): Session | null {
  const user: unknown =
    typeof data === "object" && data !== null ? Reflect.get(data, "user") : null;
  const id = text(user, "id");
  if (id === null) return null;
  return { user: { id, name: text(user, "name") ?? "", email: text(user, "email") ?? "" } };
}

export async function getSession(): Promise<Session | null> {
  return parseSession(await authRequest("get-session"));
}
