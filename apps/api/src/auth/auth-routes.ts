import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import { HttpProblem, problems } from "../http/problem";
import type { Auth } from "./auth";
import type { AuthFailureLog } from "./auth-failures";

/**
 * Better Auth at /api/auth/*, with some of its answers put in our terms: an unknown auth route (an
 * empty 404) becomes a problem+json 404; a 401 or 5xx given while the database failed under it
 * becomes a 503 with Retry-After, so that clients retry instead of signing out (Better Auth reads
 * a session it could not look up as "no session"); and its other 5xx become a problem+json 500.
 * Failures it does not catch itself are thrown (`onAPIError.throw`) and rendered by on-error.ts.
 */
export function authRoutes(auth: Auth, failures: AuthFailureLog): Handler<AppEnv> {
  return async (c) => {
    const { response, databaseUnavailable } = await failures.track(() => auth.handler(c.req.raw));
    if (response.status === 404 && !response.headers.get("content-type")) {
      throw problems.notFound(`No route for ${c.req.method} ${c.req.path}.`);
    }
    if (databaseUnavailable && (response.status === 401 || response.status >= 500)) {
      throw problems.serviceUnavailable("The database is unavailable; retry shortly.");
    }
    if (response.status >= 500) {
      c.var.logger?.error({ status: response.status }, "Better Auth answered with a server error");
      throw new HttpProblem(500, "Something went wrong on our side.");
    }
    return response;
  };
}
