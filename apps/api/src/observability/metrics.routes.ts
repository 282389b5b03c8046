import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { problems } from "../http/problem";
import { requestLogger } from "../http/request-log";
import type { Metrics } from "./metrics";
import { requireMetricsToken } from "./require-metrics-token";

export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics` in Prometheus's text format, for the bearer of METRICS_TOKEN (decision 032). An
 * operator's endpoint, left out of the public OpenAPI document. Outside /api, so the per-user
 * limits, the request deadline and the API's headers do not apply; its answer is never cached.
 */
export function metricsRoutes(metrics: Metrics, token: string) {
  return new Hono<AppEnv>().get(
    METRICS_PATH,
    // First, so that a 401 carries it too.
    (c, next) => {
      c.header("Cache-Control", "no-store");
      return next();
    },
    requireMetricsToken(token),
    async (c) => {
      c.header("Content-Type", metrics.registry.contentType);
      const text = await metrics.render().catch((error: Error) => {
        // Only with WEB_CONCURRENCY > 1: a worker that is starting has not answered yet.
        requestLogger(c).warn({ reason: error.message }, "metrics unavailable");
        throw problems.serviceUnavailable("The metrics of every worker could not be gathered.");
      });
      return c.body(text, 200);
    },
  );
}
