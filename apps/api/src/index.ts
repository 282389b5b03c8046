import { Server as HttpServer } from "node:http";
import { serve } from "@hono/node-server";
import pino from "pino";
import { ensureSigningKey } from "./auth/signing-key";
import { openDatabase } from "./db/client";
import { keepPlannerStatistics } from "./db/maintenance";
import { runMigrations } from "./db/migrate";
import { ConfigError, isLocalUrl, loadConfig, loadDotEnvFile } from "./env";
import { answerClientErrors } from "./http/client-errors";
import { createServer } from "./server";
import { shutDownGracefully } from "./shutdown";

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

const config = readConfig();
const logger = pino({
  level: config.logLevel,
  // A second guard: should a request's headers ever be logged, its credentials are not.
  redact: [
    "req.headers.authorization",
    "req.headers.cookie",
    "headers.authorization",
    "headers.cookie",
  ],
});
if (!config.isProduction && !isLocalUrl(config.auth.baseUrl)) {
  logger.warn(
    { baseUrl: config.auth.baseUrl },
    `NODE_ENV is not production on a public URL: ${config.auth.rateLimit ? "" : "sign-in rate limits are off (AUTH_RATE_LIMIT) and "}the dev server's origins are trusted`,
  );
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

await runMigrations(database);
logger.info({ database: database.kind }, "database migrations applied");

if (process.argv[2] === "migrate") {
  await database.close();
} else {
  const draining = new AbortController();
  const { app, auth } = await createServer(config, database, logger, { draining: draining.signal });
  await ensureSigningKey(database, auth);
  const stopMaintenance = keepPlannerStatistics(database, logger);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
    logger.info(
      {
        port: info.port,
        database: database.kind,
        dataDir: database.kind === "pglite" ? config.dataDir : undefined,
      },
      `hackathon-todo listening on ${config.auth.baseUrl}`,
    );
  });

  answerClientErrors(server);

  if (!(server instanceof HttpServer)) throw new Error("expected an HTTP/1.1 server");
  shutDownGracefully({
    server,
    database,
    draining,
    logger,
    beforeDatabaseClose: stopMaintenance,
  });
}
