import { Hono } from "hono";
import { requestId } from "hono/request-id";
import pino from "pino";
import type { AppEnv } from "../src/app-env";
import { usePostgres } from "../src/db/client";
import { type RequestLogOptions, requestLog } from "../src/http/request-log";
import { createMetrics } from "../src/observability/metrics";

export interface MetricsTiming {
  /** `observeRequest` alone, over a mix of routes and statuses (µs per call). */
  observe_us: number;
  /** What observing adds to the request log's middleware, per request, in a bare Hono app (µs). */
  middleware_us: number;
  /** One scrape (`/metrics`'s body) after the requests above, default metrics included (ms). */
  scrape_ms: number;
  /** Series in that scrape: what Prometheus stores per process. */
  series: number;
}

const REQUESTS = 5_000;
const ROUNDS = 21;
/** What a busy API sees: a handful of route patterns and statuses. */
const ROUTES = [
  "/api/:user_id/tasks",
  "/api/:user_id/tasks/:id",
  "/api/:user_id/tasks/:id/complete",
  "/api/auth/*",
  "/health",
];
const STATUSES = [200, 200, 200, 201, 204, 404, 401, 412, 422, 429];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

function app(observe: RequestLogOptions["observe"]) {
  // The production middleware and its level check; lines are off, so that only observing differs.
  const hono = new Hono<AppEnv>();
  hono.use(requestId());
  hono.use(requestLog(pino({ level: "silent" }), { observe }));
  return hono.get("/:user/x", (c) => c.text("ok"));
}

/** CPU time of this process per request (user + system): steadier than wall time on a shared machine. */
async function perRequestUs(hono: Hono<AppEnv>): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < REQUESTS; i++) await hono.request(`/user-${i % 100}/x`);
  const used = process.cpuUsage(started);
  return (used.user + used.system) / REQUESTS;
}

/**
 * The cost of metrics on the request path (decision 032): the observation alone, and the request
 * log's middleware with and without it in a bare Hono app (the two apps take turns, ROUNDS times;
 * medians). Then one scrape.
 */
export async function metricsTiming(): Promise<MetricsTiming> {
  const database = usePostgres("postgres://127.0.0.1:1/never-connected");
  try {
    const metrics = createMetrics(database);
    const count = 1_000_000;
    const observeRuns: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      for (let i = 0; i < count; i++) {
        metrics.observeRequest(
          "GET",
          ROUTES[i % ROUTES.length] ?? "",
          STATUSES[i % STATUSES.length] ?? 200,
          0.004,
        );
      }
      observeRuns.push(((performance.now() - started) * 1000) / count);
    }

    const without = app(undefined);
    const withMetrics = app(createMetrics(database).observeRequest);
    const times = { without: [] as number[], with: [] as number[] };
    for (const hono of [without, withMetrics]) await perRequestUs(hono);
    for (let round = 0; round < ROUNDS; round++) {
      times.without.push(await perRequestUs(without));
      times.with.push(await perRequestUs(withMetrics));
    }

    const started = performance.now();
    const text = await metrics.registry.metrics();
    const scrapeMs = performance.now() - started;
    return {
      observe_us: round3(median(observeRuns)),
      middleware_us: round3(median(times.with) - median(times.without)),
      scrape_ms: round3(scrapeMs),
      series: text.split("\n").filter((line) => line !== "" && !line.startsWith("#")).length,
    };
  } finally {
    await database.close();
  }
}

// Alone: `node --import tsx bench/metrics-timing.ts` (about 15 s); `npm run bench` includes it.
if (process.argv[1]?.endsWith("metrics-timing.ts")) {
  process.stdout.write(`${JSON.stringify(await metricsTiming(), null, 2)}\n`);
}
