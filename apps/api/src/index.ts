import cluster from "node:cluster";
import { createServer as createHttpServer } from "node:http";
import { fileURLToPath } from "node:url";
import { getRequestListener } from "@hono/node-server";
import { ensureSigningKey } from "./auth/signing-key";
import { claimDataDir, DataDirBusy, type OwnerRole } from "./backup/data-dir-owner";
import { snapshotDataDir } from "./backup/snapshot";
import { runPrimary } from "./cluster/primary";
import { listenForStopRequests } from "./cluster/stop-requests";
import { openDatabase } from "./db/client";
import { keepPlannerStatistics } from "./db/maintenance";
import { runMigrations } from "./db/migrate";
import { ConfigError, isLocalUrl, loadConfig, loadDotEnvFile } from "./env";
import { keepHeapNearLiveData } from "./heap";
import { admitInTurn, readBodiesFirst } from "./http/admission";
import { answerClientErrors } from "./http/client-errors";
import { loggableError } from "./http/loggable-error";
import { BODY_LIMIT_BYTES } from "./http/request-body-limit";
import { REQUEST_TIMEOUT_MS } from "./http/request-deadline";
import { securityHeaders, withSecurityHeaders } from "./http/security-headers";
import { forgetExpiredKeys } from "./idempotency/idempotency-records";
import { collectAdmissionMetrics } from "./observability/admission-metrics";
import { answerMetricsRequests } from "./observability/cluster-metrics";
import { createLogger } from "./observability/logger";
import { METRICS_PATH } from "./observability/metrics.routes";
import { createServer } from "./server";
import { shutDownGracefully } from "./shutdown";
import { keepEventsPruned } from "./sync/prune-events";
import { purgeTrashRegularly } from "./tasks/trash-purge";

function readConfig() {
  try {
    loadDotEnvFile();
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`hackathon-todo cannot start. ${error.message}`);
    process.exit(1);
  }
}

keepHeapNearLiveData();
const config = readConfig();
/** How many connections the kernel may hold waiting to be accepted (see the listen call). */
const LISTEN_BACKLOG = 4096;

// With WEB_CONCURRENCY > 1 this module runs once as the primary, then once in each worker.
const stopRequests = cluster.isWorker ? listenForStopRequests() : undefined;
const logger = await createLogger(config);
if (cluster.isPrimary && !config.isProduction && !isLocalUrl(config.auth.baseUrl)) {
  logger.warn(
    { baseUrl: config.auth.baseUrl },
    `NODE_ENV is not production on a public URL: ${config.auth.rateLimit ? "" : "sign-in rate limits are off (AUTH_RATE_LIMIT) and "}the dev server's origins are trusted`,
  );
}
// One process at a time on the embedded database; the server also answers db:backup (decision 033).
const dataDirClaim = config.databaseUrl
  ? undefined
  : await claimDataDirOrExit(config.dataDir, process.argv[2] === "migrate" ? "migrate" : "server");

async function claimDataDirOrExit(dataDir: string, role: OwnerRole) {
  try {
    return await claimDataDir(dataDir, role);
  } catch (error) {
    if (error instanceof DataDirBusy) {
      console.error(
        `hackathon-todo cannot start. ${error.message}. Stop it, or use another DATA_DIR.`,
      );
      process.exit(1);
    }
    // Starting as before this guard existed beats not starting at all.
    logger.warn(
      { err: loggableError(error) },
      "a second process on this DATA_DIR would not be refused, and db:backup cannot reach this server",
    );
    return undefined;
  }
}
const database = await openDatabase({
  databaseUrl: config.databaseUrl,
  directUrl: config.databaseDirectUrl,
  poolMax: config.databasePoolMax,
  namedStatements: config.databaseNamedStatements,
  dataDir: config.dataDir,
  // Only the gist: the error object holds the whole pg client.
  onError: (error) =>
    logger.warn(
      { message: error.message, code: (error as { code?: string }).code },
      "idle database connection failed",
    ),
});

if (database.kind === "pglite")
  dataDirClaim?.serveSnapshots(() => snapshotDataDir(database.client));

// Once, before any worker starts.
if (cluster.isPrimary) {
  await runMigrations(database);
  logger.info({ database: database.kind }, "database migrations applied");
}

const listeningLine = (port: number) =>
  logger.info(
    {
      port,
      database: database.kind,
      dataDir: database.kind === "pglite" ? config.dataDir : undefined,
      workers: config.workers > 1 ? config.workers : undefined,
    },
    `hackathon-todo listening on ${config.auth.baseUrl}`,
  );

if (process.argv[2] === "migrate") {
  await database.close();
} else if (cluster.isPrimary && config.workers > 1) {
  // The primary serves nothing: the workers open their own pools.
  await database.close();
  // A scraped worker asks the primary for every worker's metrics (decision 032).
  if (config.metricsToken) answerMetricsRequests();
  runPrimary({
    workers: config.workers,
    exec: fileURLToPath(import.meta.url),
    logger,
    onListening: listeningLine,
  });
} else {
  const draining = new AbortController();
  const { app, auth, metrics, changes } = await createServer(config, database, logger, {
    draining: draining.signal,
  });
  await ensureSigningKey(database, auth);
  const stopMaintenance = keepPlannerStatistics(database, logger);
  const stopPruning = keepEventsPruned(database.db, {
    retentionDays: config.sync.retentionDays,
    logger,
  });
  const stopTrashPurge = purgeTrashRegularly(database.db, {
    retentionDays: config.trashRetentionDays,
    logger,
    purged: (owner) => changes.changed(owner),
  });
  const stopForgettingKeys = forgetExpiredKeys(database.db, (error) =>
    logger.warn({ err: loggableError(error) }, "expired idempotency keys not deleted"),
  );
  const admitted = admitInTurn(app.fetch, {
    limit: config.maxRequestsInProgress,
    waitAtMostMs: REQUEST_TIMEOUT_MS,
    neverWait: new Set(["/health", "/ready", METRICS_PATH]),
  });
  if (metrics) collectAdmissionMetrics(metrics.registry, admitted, config.maxRequestsInProgress);
  const headers = await securityHeaders({ https: config.auth.baseUrl.startsWith("https://") });
  const server = createHttpServer(
    withSecurityHeaders(readBodiesFirst(getRequestListener(admitted), BODY_LIMIT_BYTES), headers),
  );
  // Node's default backlog (511) overflows when hundreds of clients connect while the event loop
  // is busy: the kernel drops their handshakes and they retry after 1 s, then 3 s (decision 042).
  // Linux caps it at net.core.somaxconn.
  server.listen({ port: config.port, host: config.host, backlog: LISTEN_BACKLOG }, () => {
    // A worker's primary says it once for all of them.
    const address = server.address();
    if (cluster.isPrimary && address && typeof address === "object") listeningLine(address.port);
  });

  answerClientErrors(server, headers);

  const shutDown = shutDownGracefully({
    server,
    database,
    draining,
    logger,
    beforeDatabaseClose: () => {
      stopMaintenance();
      stopPruning();
      stopTrashPurge();
      stopForgettingKeys();
      // The last writes' announcements to the other processes (decision 047).
      return changes.flush();
    },
  });
  stopRequests?.onStop(() => {
    logger.info("the primary asked this worker to stop");
    shutDown();
  });
}
