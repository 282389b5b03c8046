import { compress } from "hono/compress";
import { createMiddleware } from "hono/factory";

const COMPRESSIBLE = /\b(gzip|deflate)\b/i;

/**
 * gzip/deflate for clients that accept it: the web app's bundle and task lists shrink ~4×.
 *
 * Hono's compress() is only entered when the client accepts one of its encodings. Otherwise it
 * would still add `Vary: Accept-Encoding` to every answer over 1 KiB, and adding a header after
 * the answer is built makes Hono rebuild it as a streamed fetch Response: a task list then costs
 * twice the CPU to send (docs/decisions/031-cheaper-requests.md). Answers under /api are no-store,
 * so no cache needs the Vary; the web app's files come precompressed with their own.
 */
export function compressForClientsThatAccept() {
  const compressAnswer = compress();
  return createMiddleware((c, next) =>
    COMPRESSIBLE.test(c.req.header("accept-encoding") ?? "") ? compressAnswer(c, next) : next(),
  );
}
