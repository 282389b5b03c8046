import type { Handler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env";
import { HttpProblem, problems } from "../http/problem";
import { requestLogger } from "../http/request-log";
import type { Auth } from "./auth";
import type { AuthFailureLog } from "./auth-failures";

/** Headers of Better Auth's error answers that describe the body we replace. */
const BODY_HEADERS = new Set(["content-type", "content-length", "content-encoding"]);

/** Better Auth's error body: `{ code, message }` (either may be missing). */
async function readBetterAuthError(
  response: Response,
): Promise<{ code?: string; message?: string }> {
  if (!/json/i.test(response.headers.get("content-type") ?? "")) return {};
  const body: unknown = await response.json().catch(() => undefined);
  if (typeof body !== "object" || body === null) return {};
  const { code, message } = body as Record<string, unknown>;
  return {
    ...(typeof code === "string" ? { code } : {}),
    ...(typeof message === "string" ? { message } : {}),
  };
}

/**
 * Better Auth at /api/auth/*, with its failures put in our terms:
 * - every error answer becomes problem+json like the rest of the API, Better Auth's `code` and
 *   `message` kept in the body for its clients, its headers (cookies, rate limit) kept;
 * - a 401 or 5xx given while the database failed under it becomes a 503 with Retry-After, so that
 *   clients retry instead of signing out (Better Auth reads a session it could not look up as
 *   "no session"); its other 5xx become a problem+json 500.
 * Failures it does not catch itself are thrown (`onAPIError.throw`) and rendered by on-error.ts.
 */
export function authRoutes(auth: Auth, failures: AuthFailureLog): Handler<AppEnv> {
  return async (c) => {
    const { response, databaseUnavailable } = await failures.track(() => auth.handler(c.req.raw));
    if (response.status < 400) return response;
    if (response.status === 404 && !response.headers.get("content-type")) {
      throw problems.notFound(`No route for ${c.req.method} ${c.req.path}.`);
    }
    if (databaseUnavailable && (response.status === 401 || response.status >= 500)) {
      throw problems.serviceUnavailable("The database is unavailable; retry shortly.");
    }
    if (response.status >= 500) {
      requestLogger(c).error(
        { status: response.status },
        "Better Auth answered with a server error",
      );
      throw new HttpProblem(500, "Something went wrong on our side.");
    }
    const { code, message } = await readBetterAuthError(response);
    const headers = new Headers();
    for (const [name, value] of response.headers) {
      if (!BODY_HEADERS.has(name)) headers.append(name, value);
    }
    // Better Auth's limiter says when to retry in X-Retry-After; HTTP's name is Retry-After.
    const retryAfter = response.headers.get("x-retry-after");
    if (retryAfter && !headers.has("retry-after")) headers.set("retry-after", retryAfter);
    const status = response.status as ContentfulStatusCode;
    throw new HttpProblem(status, message ?? `The request failed (${status}).`, {
      headers,
      ...(code ? { code } : {}),
    });
  };
}
