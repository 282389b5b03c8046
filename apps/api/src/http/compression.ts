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
 * Only entered when the client accepts one of the encodings: the others need neither the work nor
 * the Vary (a plain answer suits any client). The whole body is read before it is compressed, so
 * an endless stream must not come through here: event streams are left out where this is mounted,
 * and their content type is not compressible either.
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
    const answer = await compressedAnswer(res, encoding).catch((error: unknown) => {
      // A file that failed to read: its problem is built on an empty answer. Hono merges the
      // answer in place into the problem, and this one's headers (a file's Content-Length, its
      // year-long Cache-Control) must not reach it.
      replaceResponse(c, new Response(null));
      throw error;
    });
    if (answer) replaceResponse(c, answer);
  });
}

/**
 * `res` compressed with `encoding`. Under the threshold: undefined (keep `res`), or `res` again
 * around its bytes if reading them consumed its body.
 */
async function compressedAnswer(res: Response, encoding: Encoding) {
  const { bytes, consumed } = await bodyOf(res);
  if (bytes.byteLength < THRESHOLD_BYTES) return consumed ? new Response(bytes, res) : undefined;
  const encoder = ENCODERS[encoding];
  const body =
    bytes.byteLength <= SYNC_LIMIT_BYTES ? encoder.sync(bytes) : await encoder.async(bytes);
  const headers = new Headers(res.headers);
  headers.set("Content-Encoding", encoding);
  // A file's Content-Length (serveStatic) would name the uncompressed size.
  headers.set("Content-Length", String(body.byteLength));
  // RFC 9110: a transformed body is not the one a strong validator named.
  const etag = headers.get("ETag");
  if (etag && !etag.startsWith("W/")) headers.set("ETag", `W/${etag}`);
  // statusText is left out: reading it would build the fetch Response, and Node sends its own.
  return new Response(body, { status: res.status, headers });
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
 * Sets the answer as it is. Assigned over another, Hono would rebuild it around its body as a
 * stream to merge the old answer's headers into it: CPU for nothing (these headers are already
 * in it), and the old Content-Length of a file over the new one. With no answer to merge
 * (undefined first), Hono takes the new one as given.
 */
function replaceResponse(c: Context, response: Response) {
  c.res = undefined;
  c.res = response;
}
