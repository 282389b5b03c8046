import { createMiddleware } from "hono/factory";

/**
 * For routes whose body is optional: an empty body means "no body" even when the client sends
 * `Content-Type: application/json` (as fetch wrappers that set it on every call do), instead of a
 * 400 for unparseable JSON.
 *
 * It reads the body with `c.req.text()`, which Hono keeps for the JSON validator after it (no
 * clone, and no fetch `Request` built by the Node adapter).
 */
export const emptyBodyIsNoBody = createMiddleware(async (c, next) => {
  if (c.req.header("content-type") !== undefined) {
    const text = await c.req.text();
    if (text.trim() === "") {
      const headers = new Headers(c.req.raw.headers);
      headers.delete("content-type");
      headers.delete("content-length");
      c.req.raw = new Request(c.req.url, { method: c.req.method, headers });
    }
  }
  await next();
});
