import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";

/**
 * For routes whose body is optional: an empty body means "no body" even when the client sends
 * `Content-Type: application/json` (as fetch wrappers that set it on every call do), instead of a
 * 400 for unparseable JSON.
 *
 * A request without a body becomes a body-less `Request` up front: otherwise the OpenAPI
 * validator, finding no Content-Type, clones the request to look for a body, which makes the Node
 * adapter build a streamed fetch Request (and its tee) for nothing. A body is read with
 * `c.req.text()`, which Hono keeps for the JSON validator after it (no clone, no stream).
 */
export const emptyBodyIsNoBody = createMiddleware<AppEnv>(async (c, next) => {
  if (framedWithoutBody(c) || (await c.req.text()).trim() === "") {
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-type");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers });
  }
  await next();
});

/** Over HTTP/1.1, no Content-Length (or 0) and no Transfer-Encoding means no body (RFC 9112 §6.3). */
function framedWithoutBody(c: Context<AppEnv>): boolean {
  if (c.env?.incoming === undefined) return false;
  const length = c.req.header("content-length");
  return (
    (length === undefined || length === "0") && c.req.header("transfer-encoding") === undefined
  );
}
