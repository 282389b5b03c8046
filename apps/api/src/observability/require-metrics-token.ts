import { createHash, timingSafeEqual } from "node:crypto";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { problems } from "../http/problem";

const BEARER = /^Bearer +(\S+) *$/i;
const MAX_AUTHORIZATION_LENGTH = 1024;

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Lets through only `Authorization: Bearer <METRICS_TOKEN>`; anything else is a 401. The tokens are
 * compared as SHA-256 digests with `timingSafeEqual`: equal lengths whatever was sent, and a time
 * that tells nothing about how much of the token a guess got right.
 *
 * Not Hono's bearerAuth: it throws an HTTPException carrying its own plain-text Response, where
 * every error of ours is problem+json with its WWW-Authenticate challenge (on-error.ts).
 */
export function requireMetricsToken(token: string) {
  const expected = digest(token);
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header("Authorization");
    if (!header) {
      throw problems.unauthorized("Send the metrics token as `Authorization: Bearer <token>`.", {
        missing: true,
      });
    }
    const sent = header.length <= MAX_AUTHORIZATION_LENGTH ? BEARER.exec(header)?.[1] : undefined;
    if (sent === undefined || !timingSafeEqual(digest(sent), expected)) {
      throw problems.unauthorized("The metrics token is missing or wrong.");
    }
    await next();
  });
}
