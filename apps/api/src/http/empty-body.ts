import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { bodyFraming } from "./body-framing";

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
  if (bodyFraming(c).kind === "none" || (await c.req.text()).trim() === "") {
    const headers = new Headers(c.req.raw.headers);
    headers.delete("content-type");
    headers.delete("content-length");
    c.req.raw = new Request(c.req.url, { method: c.req.method, headers });
  }
  await next();
});
