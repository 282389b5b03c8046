import type { Context } from "hono";
import type { AppEnv } from "../app-env";

/**
 * What a request's framing says of its body, read from headers alone, so that nobody has to ask
 * for `c.req.raw.body` (which makes the Node adapter build a whole fetch `Request`; decision 031).
 * Over HTTP/1.1 the headers frame the body (RFC 9112 §6.3) and Node's parser holds the client to
 * them: Content-Length bytes, or none without it and Transfer-Encoding. A chunked body's size is
 * unknown until read; so is that of a fetch Request handed straight to `app.request`, which has no
 * HTTP framing (`c.env.incoming` is then absent).
 */
export type BodyFraming = { kind: "none" } | { kind: "sized"; bytes: number } | { kind: "unknown" };

export function bodyFraming(c: Context<AppEnv>): BodyFraming {
  return framingOf(c.req.method, (name) => c.req.header(name), c.env?.incoming !== undefined);
}

/** The same, from the method and headers alone: also for node:http's request (admission.ts). */
export function framingOf(
  method: string,
  header: (name: "transfer-encoding" | "content-length") => string | undefined,
  overHttp: boolean,
): BodyFraming {
  if (method === "GET" || method === "HEAD") return { kind: "none" };
  if (header("transfer-encoding") !== undefined) return { kind: "unknown" };
  const length = header("content-length");
  if (length !== undefined) {
    const bytes = Number(length);
    return bytes === 0 ? { kind: "none" } : { kind: "sized", bytes };
  }
  return overHttp ? { kind: "none" } : { kind: "unknown" };
}
