import { createMiddleware } from "hono/factory";

/**
 * Cache-Control for API answers, registered inside the compression middleware (compression.ts) so
 * that it runs first on the way out:
 * - `no-store` by default: answers carry a user's tasks, tokens and sessions, which no browser or
 *   proxy cache should keep (a handler that wants otherwise sets its own Cache-Control);
 * - `no-transform` on any answer with a strong ETag: compressing it would make the ETag weak
 *   (our compression and proxies do so), and If-Match compares strongly, so a client echoing the
 *   tag it got would always get 412. Such answers (one task) are small; lists are still compressed.
 */
export const apiCacheHeaders = createMiddleware(async (c, next) => {
  await next();
  const headers = c.res.headers;
  const directives = headers.get("Cache-Control") ?? "no-store";
  const etag = headers.get("ETag");
  const keepEtagStrong =
    etag !== null && !etag.startsWith("W/") && !/no-transform/i.test(directives);
  headers.set("Cache-Control", keepEtagStrong ? `${directives}, no-transform` : directives);
});
