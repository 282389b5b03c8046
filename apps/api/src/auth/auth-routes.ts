import type { Handler } from "hono";
import type { AppEnv } from "../app-env";
import type { DatabaseHandle } from "../db/client";
import { databaseAnswers } from "../db/ping";
import { problems } from "../http/problem";
import type { Auth } from "./auth";

/**
 * Better Auth at /api/auth/*, with two of its answers put in our terms: an unknown auth route (an
 * empty 404) becomes a problem+json 404; and a 401 to a request that carried a session, while the
 * database is down, becomes a 503 with Retry-After, so clients retry instead of signing out
 * (Better Auth reads a session it could not look up as "no session"). Its other failures are
 * thrown (`onAPIError.throw`) and rendered by on-error.ts.
 */
export function authRoutes(auth: Auth, database: DatabaseHandle): Handler<AppEnv> {
  return async (c) => {
    const response = await auth.handler(c.req.raw);
    if (response.status === 404 && !response.headers.get("content-type")) {
      throw problems.notFound(`No route for ${c.req.method} ${c.req.path}.`);
    }
    const carriedSession = c.req.header("authorization") || c.req.header("cookie");
    if (response.status === 401 && carriedSession && !(await databaseAnswers(database))) {
      throw problems.serviceUnavailable("The database is unavailable; retry shortly.");
    }
    return response;
  };
}
