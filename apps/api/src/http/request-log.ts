import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env";
import { arrivedAt } from "./admission";
import { loggableError } from "./loggable-error";

/** What else happens once per finished request, beside its log line. */
export interface RequestLogOptions {
  /**
   * Records the request in the metrics (decision 032); unset when metrics are off, which then
   * cost nothing. Called from here rather than from a middleware of its own: each middleware adds
   * an async frame to every request, and this one already has the route, status and duration.
   */
  observe?: (method: string, route: string, status: number, seconds: number) => void;
  /** Routes whose answers below 400 are logged at `debug`: a scraper's every visit is no news. */
  quietRoutes?: ReadonlySet<string>;
}

/**
 * One line per request at `info` (a 5xx at `error`): method, route pattern, status, duration and
 * request id. The pattern (`/api/:user_id/tasks/:id`), not the path, so that user and task ids
 * stay out of logs and lines group by route; headers never (they carry tokens and cookies).
 *
 * Hand-written rather than hono-pino: that one allocates a child logger per request, which cost
 * more than the line itself on a GET (docs/decisions/031-cheaper-requests.md). Handlers that log
 * use `requestLogger(c)`, which binds the request id only when something is actually logged.
 */
export function requestLog(logger: Logger, options: RequestLogOptions = {}) {
  const { observe, quietRoutes } = options;
  return createMiddleware<AppEnv>(async (c, next) => {
    // From the request's arrival: the time it waited for its turn is part of what the client saw.
    const started = arrivedAt(c.env?.incoming) ?? performance.now();
    c.set("logger", logger);
    await next();
    const status = c.res.status;
    const elapsedMs = performance.now() - started;
    const route = routeOf(c);
    observe?.(c.req.method, route, status, elapsedMs / 1000);
    const level =
      status >= 500 ? "error" : status < 400 && quietRoutes?.has(route) ? "debug" : "info";
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      {
        reqId: c.get("requestId"),
        req: { method: c.req.method, route },
        res: { status },
        responseTime: Math.round(elapsedMs * 10) / 10,
        // The error's message only: a database error's message holds the query's parameters.
        ...(c.error ? { err: { message: loggableError(c.error).message } } : {}),
      },
      "request",
    );
  });
}

/** The pattern of the route that answered; `*` catch-alls (the web app, not found) say so. */
function routeOf(c: Context): string {
  return routePath(c) || "(none)";
}

/** The logger for something worth a line of its own during a request, tagged with its id. */
export function requestLogger(c: Context<AppEnv>): Logger {
  return c.var.logger.child({ reqId: c.get("requestId") });
}
