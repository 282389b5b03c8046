import { Gauge, type Registry } from "prom-client";
import type { AdmissionCounts } from "../http/admission";

/**
 * The admission gate (decision 044), read at scrape time: the requests in the app and those
 * waiting for a place. Waiting requests show up as latency in the request histogram too, but only
 * once they are answered; this shows a queue while it builds.
 */
export function collectAdmissionMetrics(
  registry: Registry,
  gate: AdmissionCounts,
  limit: number,
): void {
  new Gauge({
    name: "todo_http_requests_in_progress",
    help: "Requests in the app now, at most MAX_REQUESTS_IN_PROGRESS (the probes and /metrics not counted)",
    registers: [registry],
    collect() {
      this.set(gate.inProgress());
    },
  });
  new Gauge({
    name: "todo_http_requests_waiting",
    help: "Requests waiting for their turn to enter the app (MAX_REQUESTS_IN_PROGRESS reached)",
    registers: [registry],
    collect() {
      this.set(gate.waiting());
    },
  });
  new Gauge({
    name: "todo_http_requests_in_progress_max",
    help: "The most requests in the app at once (MAX_REQUESTS_IN_PROGRESS)",
    registers: [registry],
  }).set(limit);
}
