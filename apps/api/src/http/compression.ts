import { promisify } from "node:util";
import { deflate, deflateSync, gzip, gzipSync } from "node:zlib";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { parseAccept } from "hono/utils/accept";
import { COMPRESSIBLE_CONTENT_TYPE_REGEX } from "hono/utils/compress";

const COMPRESSIBLE = /\b(gzip|deflate)\b/i;
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i;
const VARIES_BY_ENCODING = /(?:^|,)\s*accept-encoding\s*(?:,|$)/i;

/** Answers without a body, and parts of one, are never compressed. */
const NO_BODY_OR_PARTIAL = new Set([101, 103, 204, 205, 206, 304]);
/** Smaller answers are sent as they are: gzip would save little, and headers outweigh them. */
const THRESHOLD_BYTES = 1024;
/** Larger answers are compressed on libuv's thread pool, not on the event loop (~1 ms and up). */
const SYNC_LIMIT_BYTES = 256 * 1024;

const ENCODERS = {
  gzip: { sync: gzipSync, async: promisify(gzip) },
  deflate: { sync: deflateSync, async: promisify(deflate) },
};
type Encoding = keyof typeof ENCODERS;

/**
 * gzip/deflate for clients that accept it: task lists, the OpenAPI document and the docs page
 * shrink ~4× and more. The same rules as Hono's compress(), which this replaces (decision 051):
 * its CompressionStream sent a 14 KB list through web streams in chunks, at about 0.5 ms of CPU
 * per list; zlib compresses it in one call, ~0.05 ms, and the answer leaves in one write with its
 * Content-Length.
 *
 * Only entered when the client accepts one of the encodings: otherwise `Vary: Accept-Encoding`
 * on each answer would make Hono rebuild it as a streamed fetch Response, at twice the CPU
 * (decision 031). Answers under /api are no-store, so no cache needs the Vary; the web app's
 * files come precompressed with their own. The whole body is read before it is compressed, so an
 * endless stream must not come through here: event streams are left out where this is mounted.
 */
export function compressForClientsThatAccept() {
  return createMiddleware(async (c, next) => {
    const accepted = c.req.header("accept-encoding");
    if (!accepted || !COMPRESSIBLE.test(accepted)) return next();
    await next();
    const res = c.res;
    if (!compressible(c)) return;
    const vary = res.headers.get("Vary");
    if (vary !== "*" && !(vary && VARIES_BY_ENCODING.test(vary))) {
      res.headers.set("Vary", vary ? `${vary}, Accept-Encoding` : "Accept-Encoding");
    }
    const encoding = encodingFor(accepted);
    if (!encoding) return;
    const { bytes: body, consumed } = await bodyOf(res);
    if (body.byteLength < THRESHOLD_BYTES) {
      if (consumed) replaceResponse(c, new Response(body, res));
      return;
    }
    const encoder = ENCODERS[encoding];
    const compressed =
      body.byteLength <= SYNC_LIMIT_BYTES ? encoder.sync(body) : await encoder.async(body);
    const headers = new Headers(res.headers);
    headers.set("Content-Encoding", encoding);
    // A file's Content-Length (serveStatic) would name the uncompressed size.
    headers.set("Content-Length", String(compressed.byteLength));
    // RFC 9110: a transformed body is not the one a strong validator named.
    const etag = headers.get("ETag");
    if (etag && !etag.startsWith("W/")) headers.set("ETag", `W/${etag}`);
    replaceResponse(c, new Response(compressed, { status: res.status, headers }));
  });
}

/**
 * The answer's body. One built from a string (c.json, c.text, c.html) is read where
 * @hono/node-server's lightweight Response keeps it, under its symbol "cache", so that no fetch
 * Response is built to read it: arrayBuffer() cost ~0.1 ms of CPU per list page (decision 051).
 * Any other body, or any other Response (in-process `app.request`), is read the standard way,
 * which consumes it.
 */
export async function bodyOf(res: Response): Promise<{ bytes: Uint8Array; consumed: boolean }> {
  const kept = Object.getOwnPropertySymbols(res).find((symbol) => symbol.description === "cache");
  const body = kept && (res as unknown as Record<symbol, unknown[] | undefined>)[kept]?.[1];
  if (typeof body === "string") return { bytes: Buffer.from(body), consumed: false };
  return { bytes: new Uint8Array(await res.arrayBuffer()), consumed: true };
}

/** Hono compress()'s conditions, read before the body is. */
function compressible(c: Context): boolean {
  const res = c.res;
  const length = res.headers.get("Content-Length");
  const type = res.headers.get("Content-Type");
  const cacheControl = res.headers.get("Cache-Control");
  return !(
    NO_BODY_OR_PARTIAL.has(res.status) ||
    res.headers.has("Content-Encoding") ||
    res.headers.has("Transfer-Encoding") ||
    c.req.method === "HEAD" ||
    (length && Number(length) < THRESHOLD_BYTES) ||
    !type ||
    !COMPRESSIBLE_CONTENT_TYPE_REGEX.test(type) ||
    (cacheControl && NO_TRANSFORM.test(cacheControl))
  );
}

/** The accepted encoding of highest q, gzip first on a tie; none for `identity` or q=0. */
function encodingFor(header: string): Encoding | undefined {
  const accepts = parseAccept(header);
  const wildcard = accepts.find((accept) => accept.type === "*")?.q;
  let best: { encoding: Encoding; q: number } | undefined;
  for (const encoding of Object.keys(ENCODERS) as Encoding[]) {
    const q = accepts.find((accept) => accept.type.toLowerCase() === encoding)?.q ?? wildcard ?? 0;
    if (q > 0 && (!best || q > best.q)) best = { encoding, q };
  }
  return best?.encoding;
}

/**
 * Sets the answer as it is. Assigning `c.res` over another makes Hono copy the old one's headers
 * into a rebuild of the new one around its body as a stream: sent in chunks, without its length.
 * With no answer to merge (undefined first), Hono takes the new one as given.
 */
function replaceResponse(c: Context, response: Response) {
  c.res = undefined;
  c.res = response;
}
