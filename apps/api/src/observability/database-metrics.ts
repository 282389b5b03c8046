import { Gauge, type Registry } from "prom-client";
import { type DatabaseHandle, DEFAULT_POOL_MAX } from "../db/client";

/**
 * What the database handle can tell at scrape time (read then, not tracked per query):
 * - Postgres: the pg pool's connections in use and idle, the queries waiting for one (a pool too
 *   small for the load, or a slow database, shows there before it shows as 503s), and its size.
 * - PGlite runs in this process's thread with one connection and no queue that it exposes: there is
 *   no pool to report, so only the engine is named; its load shows in event-loop lag instead.
 */
export function collectDatabaseMetrics(registry: Registry, database: DatabaseHandle): void {
  new Gauge({
    name: "todo_database_info",
    help: "The database engine this process uses (postgres or pglite); always 1",
    labelNames: ["engine"] as const,
    registers: [registry],
    // Every worker says the same: not summed over them (WEB_CONCURRENCY).
    aggregator: "first",
  }).set({ engine: database.kind }, 1);
  if (database.kind !== "postgres") return;

  const pool = database.pool;
  new Gauge({
    name: "todo_db_pool_connections",
    help: "Connections of the database pool, by state: in_use (running a query or a transaction) or idle",
    labelNames: ["state"] as const,
    registers: [registry],
    collect() {
      this.set({ state: "in_use" }, pool.totalCount - pool.idleCount);
      this.set({ state: "idle" }, pool.idleCount);
    },
  });
  new Gauge({
    name: "todo_db_pool_waiting",
    help: "Queries waiting for a free connection of the database pool",
    registers: [registry],
    collect() {
      this.set(pool.waitingCount);
    },
  });
  new Gauge({
    name: "todo_db_pool_max",
    help: "The most connections the database pool opens (DATABASE_POOL_MAX)",
    registers: [registry],
  }).set(pool.options.max ?? DEFAULT_POOL_MAX);
}
