import { Hono } from "hono";
import { requestId } from "hono/request-id";
import pino from "pino";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { onError } from "../../src/http/on-error";
import { requestLog } from "../../src/http/request-log";
import { metricsRoutes } from "../../src/observability/metrics.routes";

const TOKEN = "unit-metrics-token-0123456789";

/** /metrics as app.ts mounts it, over metrics whose text cannot be had. */
function appWhoseMetricsFail() {
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(requestLog(pino({ level: "silent" })));
  app.route(
    "/",
    metricsRoutes(
      {
        registry: new Registry(),
        observeRequest: () => {},
        render: () => Promise.reject(new Error("the primary did not send the workers' metrics")),
      },
      TOKEN,
    ),
  );
  app.onError(onError);
  return app;
}

describe("GET /metrics when the metrics cannot be gathered", () => {
  it("answers 503 problem+json with Retry-After, not a 500", async () => {
    const response = await appWhoseMetricsFail().request("/metrics", {
      headers: { Authorization: `Bearer ${TOKEN}` },
    });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toBe("5");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toMatchObject({
      status: 503,
      detail: "The metrics of every worker could not be gathered.",
    });
  });
});
