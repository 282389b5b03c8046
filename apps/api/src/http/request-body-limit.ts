import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { problems } from "./problem";

/**
 * Refuses a body over `maxBytes` with a 413, without touching the body when the headers tell.
 *
 * Hono's bodyLimit starts by asking for `c.req.raw.body`, which makes the Node adapter build a
 * whole fetch `Request` (with an AbortSignal and a web stream) even for a GET: ~5% of the CPU of
 * a request (docs/decisions/031-cheaper-requests.md). GET and HEAD have no body; otherwise
 * Node's parser reads exactly Content-Length bytes, so that header decides. Anything else (a
 * chunked body, whose size nobody knows in advance, or a fetch Request handed to `app.request`
 * with neither header) goes through Hono's bodyLimit, which counts the body as it arrives.
 */
export function limitRequestBodies(maxBytes: number) {
  const tooLarge = () =>
    problems.payloadTooLarge(`The body is over the ${maxBytes / 1024} KiB limit.`);
  const countStreamedBody = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return createMiddleware(async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const length = c.req.header("content-length");
    if (length === undefined || c.req.header("transfer-encoding") !== undefined) {
      return countStreamedBody(c, next);
    }
    if (Number(length) > maxBytes) throw tooLarge();
    await next();
  });
}
