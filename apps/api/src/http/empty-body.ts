import { createMiddleware } from "hono/factory";

/**
 * For routes whose body is optional: an empty body means "no body" even when the client sends
 * `Content-Type: application/json` (as fetch wrappers that set it on every call do), instead of a
 * 400 for unparseable JSON.
 */
export const emptyBodyIsNoBody = createMiddleware(async (c, next) => {
  const request = c.req.raw;
  if (request.body && request.headers.has("content-type")) {
    const text = await request.clone().text();
    if (text.trim() === "") {
      const headers = new Headers(request.headers);
      headers.delete("content-type");
      headers.delete("content-length");
      c.req.raw = new Request(request.url, { method: request.method, headers });
    }
  }
  await next();
});
