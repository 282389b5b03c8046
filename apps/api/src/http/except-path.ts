import type { MiddlewareHandler } from "hono";

/**
 * Runs `middleware` on every request except those whose path `pattern` matches. hono/combine's
 * `except()` does the same through a router lookup and `some()`/`every()`, which compose the
 * middleware anew on every request: with two of them in front of every route, that was ~9% of
 * a GET's CPU (docs/decisions/041-fewer-layers-per-request.md). A regular expression test is
 * all one fixed path needs.
 */
export function exceptPath(pattern: RegExp, middleware: MiddlewareHandler): MiddlewareHandler {
  return (c, next) => (pattern.test(c.req.path) ? next() : middleware(c, next));
}
