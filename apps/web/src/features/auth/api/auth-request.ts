import { NetworkError } from "@/lib/api-errors";
import { AuthError } from "../utils/auth-error";

export interface AuthRequestOptions {
  method?: "GET" | "POST";
  body?: unknown;
}

function field(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null || !(key in value)) return undefined;
  const found: unknown = Reflect.get(value, key);
  return typeof found === "string" ? found : undefined;
}

/**
 * Calls a Better Auth route on this origin with the session cookie. A refusal becomes an
 * `AuthError` carrying Better Auth's `code` (kept in its problem+json answers, decision 022), no
 * answer a `NetworkError`. Plain fetch rather than Better Auth's client, which would add 11 KB
 * gzip to the sign-in screen for four calls (decision 023).
 */
export async function authRequest(
  path: string,
  options: AuthRequestOptions = {},
): Promise<unknown> {
  let response: Response;
  try {
    response = await globalThis.fetch(`/api/auth/${path}`, {
      method: options.method ?? "GET",
      credentials: "same-origin",
      headers: options.body === undefined ? undefined : { "Content-Type": "application/json" },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch (error) {
    throw new NetworkError(error);
  }
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    throw new AuthError(response.status, field(data, "code"), field(data, "message"));
  }
  return data;
}
