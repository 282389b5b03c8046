import type { RequestListener } from "node:http";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The security headers of every answer, as Hono's secureHeaders sets them, read once at start-up
 * from an answer of a one-route app (decision 050). The policy is for API answers, which are data
 * and must never run or frame anything; pages set their own (the web app, /docs). Values are fixed
 * for the life of the process: a per-request value such as a CSP nonce cannot be set here.
 */
export async function securityHeaders(options: { https: boolean }): Promise<HeaderList> {
  const probe = new Hono()
    .use(
      secureHeaders({
        contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
        // HSTS means something only over https; on plain http it would be ignored at best.
        strictTransportSecurity: options.https,
      }),
    )
    .get("/", (c) => c.body(null));
  const answer = await probe.request("/");
  return [...answer.headers];
}

/**
 * Puts `headers` on the Node response before the app runs (decision 050): Node then merges the
 * headers the app writes over these, with a `setHeader` each, so a route's own
 * Content-Security-Policy replaces ours, as secureHeaders' `overwrite: false` did. That costs less
 * than secureHeaders' `has` and `set` on the fetch Response's undici Headers after every answer.
 * Answers of `app.fetch` in-process do not carry them.
 */
export function withSecurityHeaders(
  listener: RequestListener,
  headers: HeaderList,
): RequestListener {
  return (incoming, response) => {
    for (const [name, value] of headers) response.setHeader(name, value);
    return listener(incoming, response);
  };
}
