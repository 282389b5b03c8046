import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { problems } from "../http/problem";
import type { VerifyToken } from "./verify-jwt";

const MAX_AUTHORIZATION_LENGTH = 4096;
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*) *$/i;

/**
 * Guards every `/api/{user_id}/…` route: a valid JWT (else 401), whose `sub` is the path's
 * `user_id` (else 403). Handlers then read the owner from `c.var.userId`, never from the path.
 */
export function requireOwner(verifyToken: VerifyToken) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    if (!header) {
      throw problems.unauthorized("Send a JWT as `Authorization: Bearer <token>`.", {
        missing: true,
      });
    }
    // Ours are under 1 KiB; a larger one is refused before any parsing.
    if (header.length > MAX_AUTHORIZATION_LENGTH)
      throw problems.unauthorized("The token is too large.");
    const token = BEARER.exec(header)?.[1];
    if (!token) throw problems.unauthorized("The Authorization header must be `Bearer <JWT>`.");
    const { sub, exp } = await verifyToken(token);
    if (sub !== c.req.param("user_id")) {
      throw problems.forbidden("The token does not belong to this user.");
    }
    c.set("userId", sub);
    c.set("tokenExpiresAt", exp);
    await next();
  });
}
