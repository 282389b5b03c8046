import type { Logger } from "pino";
import { createApp } from "./app";
import { releaseAsyncContextBetweenCalls } from "./auth/async-context";
import { createAuth } from "./auth/auth";
import { createAuthFailureLog } from "./auth/auth-failures";
import { createSessionCheck, SESSION_RECHECK_MS } from "./auth/live-sessions";
import { resolveAuthSecret } from "./auth/secret";
import { sessionLookup } from "./auth/session-lookup";
import { createJwtVerifier } from "./auth/verify-jwt";
import type { DatabaseHandle } from "./db/client";
import { latestMigrationTimestamp } from "./db/migrate";
import type { Config } from "./env";
import { loggableError } from "./http/loggable-error";
import { createMetrics } from "./observability/metrics";
import { createCounterStore } from "./rate-limit/counter-store";
import { changeSignal } from "./sync/change-signal";

/** The Vite dev server's origins, trusted by Better Auth outside production only. */
const DEV_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:5173"];

export interface ServerOptions {
  /** How long a process trusts what it read about a session (SESSION_RECHECK_MS); tests shorten it. */
  sessionRecheckMs?: number;
  /** Fires when the process starts to shut down (see shutdown.ts). */
  draining?: AbortSignal;
  /** How often live streams poll for changes (POLL_INTERVAL_MS); tests lengthen it. */
  changePollIntervalMs?: number;
}

/** Wires config and an open, migrated database into the app: shared by index.ts and the tests. */
export async function createServer(
  config: Config,
  database: DatabaseHandle,
  logger: Logger,
  options: ServerOptions = {},
) {
  const secret = await resolveAuthSecret(config);
  const authFailures = createAuthFailureLog();
  const rateLimitStore = createCounterStore(database.db, {
    onCleanupError: (error) =>
      logger.warn({ err: loggableError(error) }, "rate-limit clean-up failed"),
  });
  const auth = releaseAsyncContextBetweenCalls(
    createAuth({
      db: database.db,
      baseUrl: config.auth.baseUrl,
      secret,
      jwtExpiresIn: config.auth.jwtExpiresIn,
      trustedOrigins: [
        config.auth.baseUrl,
        ...config.corsOrigins,
        ...(config.isProduction ? [] : DEV_ORIGINS),
      ],
      rateLimit: config.auth.rateLimit,
      rateLimitStore,
      logger: logger.child({ component: "better-auth" }),
      onErrorLogged: authFailures.noteLoggedError,
    }),
    [authFailures.store],
  );
  const verifyToken = createJwtVerifier({
    issuer: config.auth.issuer,
    audience: config.auth.audience,
    keys: config.auth.jwksUrl
      ? { source: "remote", url: config.auth.jwksUrl }
      : {
          source: "local",
          load: () => auth.api.getJwks(),
          sessions: createSessionCheck(
            sessionLookup(database.db),
            options.sessionRecheckMs ?? SESSION_RECHECK_MS,
          ),
        },
    hs256Secret: config.auth.acceptHs256 ? secret : undefined,
  });
  const metrics = config.metricsToken ? createMetrics(database) : undefined;
  const changes = changeSignal({ database, notify: config.sync.notify, logger });
  const app = createApp({
    config,
    database,
    auth,
    authFailures,
    verifyToken,
    logger,
    rateLimitStore,
    latestMigration: await latestMigrationTimestamp(),
    draining: options.draining ?? new AbortController().signal,
    metrics,
    changes,
    changePollIntervalMs: options.changePollIntervalMs,
  });
  return { app, auth, metrics, changes };
}
