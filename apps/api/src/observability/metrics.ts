import cluster from "node:cluster";
import { collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { DatabaseHandle } from "../db/client";
import { joinClusterMetrics } from "./cluster-metrics";
import { collectDatabaseMetrics } from "./database-metrics";

/**
 * Upper bounds in seconds: a task route answers in 1–20 ms on Postgres, sign-up hashes a password
 * (~170 ms), and every request ends by REQUEST_TIMEOUT_MS (5 s), so nothing lands past the last.
 */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Methods get a label of their own; any other (Node's parser accepts some thirty, WebDAV's among
 * them) counts as "other", so that a client cannot add series by inventing requests.
 */
const KNOWN_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

export interface Metrics {
  registry: Registry;
  /**
   * One finished request: its route pattern (never the raw path, which holds ids), its status and
   * how long it took. Called for every request: it must stay a few hundred nanoseconds.
   */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** The text for /metrics: this process's, or with WEB_CONCURRENCY > 1 every worker's, summed. */
  render(): Promise<string>;
}

/**
 * A registry of this app's own (not prom-client's global one, so that several apps in one test
 * process do not share counts): the process's default metrics (memory, CPU, event-loop lag, GC,
 * handles), the request histogram, and the database pool (decision 032).
 */
export function createMetrics(database: DatabaseHandle): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  collectDatabaseMetrics(registry, database);
  // Its `_count` series is the request count: a separate counter would say the same thing and
  // double the cost of every request.
  const durations = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time from the request's arrival to its answer, by method, route pattern and status; _count is the number of requests",
    labelNames: ["method", "route", "status"] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    render: cluster.isWorker ? joinClusterMetrics(registry) : () => registry.metrics(),
    observeRequest(method, route, status, seconds) {
      durations.observe(
        { method: KNOWN_METHODS.has(method) ? method : "other", route, status },
        seconds,
      );
    },
  };
}
