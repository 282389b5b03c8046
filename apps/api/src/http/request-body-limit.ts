import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { problems } from "./problem";

/**
 * Refuses a body over `maxBytes` with a 413, without touching the body when the headers tell.
 *
 * Hono's bodyLimit starts by asking for `c.req.raw.body`, which makes the Node adapter build a
 * whole fetch `Request` (with an AbortSignal and a web stream) even for a GET: ~5% of the CPU of
 * a request (docs/decisions/031-cheaper-requests.md). Over HTTP/1.1 the headers frame the body
 * (RFC 9112 §6.3), and Node's parser holds the client to them: with Content-Length, that many
 * bytes; with neither it nor Transfer-Encoding, none. Only a chunked body, whose size nobody knows
 * in advance, goes through Hono's bodyLimit, which counts it as it arrives; so does a fetch
 * Request handed straight to `app.request`, which has no HTTP framing to go by.
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
  return createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const overHttp = c.env?.incoming !== undefined;
    const length = c.req.header("content-length");
    if (c.req.header("transfer-encoding") !== undefined || (length === undefined && !overHttp)) {
      return countStreamedBody(c, next);
    }
    if (length !== undefined && Number(length) > maxBytes) throw tooLarge();
    await next();
  });
}
