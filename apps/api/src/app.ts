import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import { requestId } from "hono/request-id";
import type { Logger } from "pino";
import type { AppEnv } from "./app-env";
import type { Auth } from "./auth/auth";
import type { AuthFailureLog } from "./auth/auth-failures";
import { authRoutes } from "./auth/auth-routes";
import { refuseUnsendableCallbackUrls } from "./auth/callback-urls";
import type { VerifyToken } from "./auth/verify-jwt";
import type { DatabaseHandle } from "./db/client";
import { mountOpenApi } from "./docs/openapi";
import type { Config } from "./env";
import { healthRoutes } from "./health/health.routes";
import { gaveUpWaiting } from "./http/admission";
import { apiCacheHeaders } from "./http/cache-headers";
import { clientAddress } from "./http/client-address-middleware";
import { compressForClientsThatAccept } from "./http/compression";
import { closeConnectionsWhenDraining } from "./http/drain";
import { exceptPath } from "./http/except-path";
import { jsonBodiesOnly } from "./http/json-bodies-only";
import { onError, onNotFound } from "./http/on-error";
import { BODY_LIMIT_BYTES, limitRequestBodies } from "./http/request-body-limit";
import { requestDeadline, tooLate } from "./http/request-deadline";
import { requestLog } from "./http/request-log";
import { validationHook } from "./http/validation-hook";
import type { Metrics } from "./observability/metrics";
import { METRICS_PATH, metricsRoutes } from "./observability/metrics.routes";
import type { CounterStore } from "./rate-limit/counter-store";
import { credentialLimiter } from "./rate-limit/credential-limiter";
import type { ChangeSignal } from "./sync/change-signal";
import { EVENT_STREAM_PATHS } from "./sync/event-stream";
import { syncRoutes } from "./sync/sync.index";
import { taskRoutes } from "./tasks/tasks.index";
import { spaRoutes } from "./web/serve-spa";

export interface AppDependencies {
  config: Config;
  database: DatabaseHandle;
  auth: Auth;
  authFailures: AuthFailureLog;
  verifyToken: VerifyToken;
  logger: Logger;
  /** Shared rate-limit counters (PostgreSQL): one budget across every replica. */
  rateLimitStore: CounterStore;
  latestMigration: number;
  /** Fires when the server starts to drain before it exits. */
  draining: AbortSignal;
  /** Set when METRICS_TOKEN is: every request is observed and /metrics exists (decision 032). */
  metrics?: Metrics;
  /** Where the task routes announce committed writes to the live streams (decision 047). */
  changes: ChangeSignal;
  /** How often live streams poll for changes, if not every POLL_INTERVAL_MS (tests). */
  changePollIntervalMs?: number;
}

export function createApp(deps: AppDependencies) {
  const { config, database, auth } = deps;
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook() });

  // Outermost, so that it marks the final response, whatever produced it.
  app.use(closeConnectionsWhenDraining(deps.draining));
  app.use(requestId());
  app.use(
    requestLog(deps.logger, {
      observe: deps.metrics?.observeRequest,
      quietRoutes: new Set([METRICS_PATH]),
    }),
  );

  // Security headers are set on the Node response before the app runs (index.ts, decision 050).
  // An event stream must reach the client event by event, not in compressed blocks (decision 036).
  app.use(exceptPath(EVENT_STREAM_PATHS, compressForClientsThatAccept()));
  app.use("/api/*", apiCacheHeaders);
  // Every API request answers within REQUEST_TIMEOUT_MS; a streaming route must opt out (see there).
  app.use("/api/*", exceptPath(EVENT_STREAM_PATHS, requestDeadline()));
  app.use("/api/*", (c, next) => {
    // A request that waited out its time for a turn (admission.ts) is refused before any work;
    // event streams too, which the deadline above leaves out.
    if (gaveUpWaiting(c.env?.incoming)) throw tooLate();
    c.set("db", database.db);
    return next();
  });
  if (config.corsOrigins.length > 0) {
    app.use(
      "/api/*",
      cors({
        // Only listed origins get CORS headers (and so credentials); others stay same-origin only.
        origin: config.corsOrigins,
        credentials: true,
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: [
          "Authorization",
          "Content-Type",
          "If-Match",
          "If-None-Match",
          "Last-Event-ID",
          "Idempotency-Key",
        ],
        exposeHeaders: [
          "Link",
          "X-Total-Count",
          "ETag",
          "Location",
          "Retry-After",
          "RateLimit",
          "RateLimit-Policy",
          "X-Request-Id",
          "Idempotent-Replayed",
          "set-auth-token",
          "set-auth-jwt",
        ],
        maxAge: 600,
      }),
    );
  }
  app.use("/api/*", limitRequestBodies(BODY_LIMIT_BYTES));

  app.use("/api/*", jsonBodiesOnly);
  // Only the auth routes use the client address (their limits, Better Auth's session records):
  // task requests are limited per verified user and skip the work.
  app.use("/api/auth/*", clientAddress(config.trustProxy));
  app.use("/api/auth/*", refuseUnsendableCallbackUrls);
  if (config.auth.rateLimit) {
    app.use("/api/auth/*", credentialLimiter({ store: deps.rateLimitStore, auth }));
  }
  app.on(["GET", "POST"], "/api/auth/*", authRoutes(auth, deps.authFailures));

  const routes = app
    .route("/", healthRoutes({ database, latestMigration: deps.latestMigration }))
    .route(
      "/api",
      taskRoutes({
        verifyToken: deps.verifyToken,
        rateLimitPerMinute: config.rateLimitPerMinute,
        rateLimitStore: deps.rateLimitStore,
        logger: deps.logger,
        changes: deps.changes,
      }),
    )
    .route(
      "/api",
      syncRoutes({
        database,
        verifyToken: deps.verifyToken,
        notify: config.sync.notify,
        changes: deps.changes,
        pollIntervalMs: deps.changePollIntervalMs,
        rateLimitPerMinute: config.rateLimitPerMinute,
        rateLimitStore: deps.rateLimitStore,
        logger: deps.logger,
        draining: deps.draining,
      }),
    );

  if (deps.metrics && config.metricsToken) {
    app.route("/", metricsRoutes(deps.metrics, config.metricsToken));
  }
  mountOpenApi(app, config.auth.baseUrl);
  app.route("/", spaRoutes(config.webDistDir));
  app.notFound(onNotFound);
  app.onError(onError);
  return routes;
}

/** For typed clients (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;
