import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { problems } from "../http/problem";

/**
 * Better Auth's limiter answers 429 with its own JSON body and an `X-Retry-After` header; clients
 * of this API get every 429 as problem+json with the standard `Retry-After`.
 */
export function betterAuthTooManyRequests(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    if (c.res.status !== 429 || c.res.headers.has("retry-after")) return;
    const seconds = Number(c.res.headers.get("x-retry-after"));
    throw problems.tooManyRequests(Number.isInteger(seconds) && seconds > 0 ? seconds : 10);
  };
}
