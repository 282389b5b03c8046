import type { CapturedPool } from "./capture-sql";
import { describeLogCost, type LogCost } from "./change-log-cost";
import type { JwtTiming } from "./jwt-timing";
import type { Stats } from "./load";
import type { MetricsTiming } from "./metrics-timing";
import type { Target } from "./options";
import type { RateLimitTiming } from "./rate-limit-timing";
import type { SqlParity } from "./sql-parity";

export interface Run {
  target: Target;
  /**
   * workload: API and bare at the main connection count; scenario: API only; rate: fixed offered
   * load; many: the overload run; soak: the long run after which memory is read.
   */
  kind: "workload" | "scenario" | "rate" | "many" | "soak";
  server: "api" | "bare";
  scenario: string;
  connections: number;
  rate?: number;
  stats: Stats;
}

/** One page type at two list sizes, measured interleaved on one connection. */
export interface Growth {
  /** Whether the sizes are issue 7's growth target's: 100,000 tasks against 1,000. */
  checked: boolean;
  /** Whether the page holds as many tasks at both sizes; if not, it has no growth target. */
  samePage: boolean;
  page: string;
  small: number;
  large: number;
  smallStats: Stats;
  largeStats: Stats;
}

/** One workload on the API run with WEB_CONCURRENCY=workers (BENCH_WORKERS; decision 026). */
export interface WorkersRun {
  workers: number;
  scenario: string;
  stats: Stats;
}

interface ProcessFigures {
  pid: number;
  /** CPU seconds over the compared runs. */
  cpu_s: number;
  rss_mb: number;
}

/** Where a clustered API spent its CPU during the comparison, and each process's memory after. */
export interface WorkerProcesses {
  workers: number;
  primary: ProcessFigures | undefined;
  workerProcesses: ProcessFigures[];
}

export interface WorkersReport {
  connections: number;
  runs: WorkersRun[];
  processes: WorkerProcesses[];
}

export interface TargetReport {
  target: Target;
  runs: Run[];
  growth: Growth[];
  /** Postgres only: the API's SQL per workload next to the bare server's. */
  parity?: SqlParity[];
  /** Postgres only: the options of the API's pool, as captured; the bare server uses them. */
  pool?: CapturedPool;
  /** Postgres only: where the bare server's answers differ from the API's (none, normally). */
  sameAnswers?: string[];
  /** Postgres only, with BENCH_WORKERS: the API at each WEB_CONCURRENCY. */
  workers?: WorkersReport;
  rss: {
    api?: { idle_mb?: number; before_soak_mb?: number; after_soak_mb?: number; peak_mb?: number };
    bare?: { after_runs_mb?: number };
  };
}

export interface Report {
  date: string;
  node: string;
  cpus: number;
  cpu_model: string;
  elapsed_s: number;
  options: { connections: number; duration: number; rate: number; soakSeconds: number };
  rate_limit_per_minute: number;
  targets: TargetReport[];
  jwt: JwtTiming;
  rate_limit: RateLimitTiming;
  /** Absent from reports written before /metrics (decision 032). */
  metrics?: MetricsTiming;
  /** Absent from reports written before the change log (decision 035). */
  change_log?: LogCost[];
}

/** The issue's targets (issue 7), checked on Postgres. */
const TARGET_RATIO: Record<string, number> = {
  "get one": 0.5,
  "list, first page": 0.5,
  create: 0.7,
  "update (PUT title)": 0.7,
  "toggle (PATCH complete)": 0.7,
};
const TARGET_P95_MS = 200;
const TARGET_RATE_P99_MS = 25;
const TARGET_MANY_MAX_MS = 2_000;
const TARGET_GROWTH = 1.5;
const TARGET_FILTER = 2;
const TARGET_FILTER_FROM_TASKS = 10_000;
const TARGET_RSS_MB = 200;
const TARGET_JWT_COLD_US = 500;
const TARGET_JWT_CACHED_US = 10;

const failed = (stats: Stats) => stats.non2xx + stats.errors;
const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const ms = (value: number) => (Number.isFinite(value) ? String(value) : "–");
const times = (large: number, small: number) => `${fixed(large / small, 2)}×`;

function sqlDiffers(report: TargetReport, workload: string) {
  return report.parity?.some((entry) => entry.workload === workload && !entry.matches) ?? false;
}

function mainTable(say: (line: string) => void, report: TargetReport) {
  const bareOf = (run: Run) =>
    report.runs.find(
      (other) =>
        other.server === "bare" &&
        other.kind === run.kind &&
        other.scenario === run.scenario &&
        other.connections === run.connections,
    );
  say(
    "| run | conns | API req/s | p50 ms | p95 ms | p99 ms | max ms | errors | CPU µs/req | bare req/s | bare p50 | bare p99 | bare CPU µs/req | API/bare req/s |",
  );
  say(
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const run of report.runs.filter((each) => each.server === "api")) {
    const bare = bareOf(run);
    const label =
      run.kind === "rate"
        ? `${run.scenario} @ ${run.rate} req/s`
        : run.kind === "many"
          ? `${run.scenario} (overload)`
          : run.scenario;
    const errors =
      run.scenario.includes("401") && run.stats.errors === 0
        ? `(${run.stats.non2xx} × 401, expected)`
        : String(failed(run.stats));
    const ratio =
      bare && run.kind === "workload"
        ? `${fixed(run.stats.rps / bare.stats.rps, 2)}${sqlDiffers(report, run.scenario) ? " (SQL differs)" : ""}`
        : "";
    const s = run.stats;
    const b = bare?.stats;
    say(
      `| ${label} | ${run.connections} | ${s.rps} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${errors} | ${s.cpuUs ?? "–"} | ${b ? b.rps : ""} | ${b ? ms(b.p50) : ""} | ${b ? ms(b.p99) : ""} | ${b ? (b.cpuUs ?? "–") : ""} | ${ratio} |`,
    );
  }
}

function workersTable(say: (line: string) => void, workers: WorkersReport) {
  say(
    `API with WEB_CONCURRENCY workers (BENCH_WORKERS), ${workers.connections} connections, the servers in turn (A B … B A) per workload:`,
  );
  say("");
  say(
    "| workload | workers | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | CPU µs/req | req/s against 1 worker |",
  );
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const run of workers.runs) {
    const one = workers.runs.find((each) => each.scenario === run.scenario && each.workers === 1);
    const s = run.stats;
    say(
      `| ${run.scenario} | ${run.workers} | ${s.rps} | ${ms(s.p50)} | ${ms(s.p95)} | ${ms(s.p99)} | ${ms(s.max)} | ${failed(s)} | ${s.cpuUs ?? "–"} | ${one && run.workers !== 1 ? times(s.rps, one.stats.rps) : ""} |`,
    );
  }
  for (const entry of workers.processes) {
    const figures = (each: ProcessFigures | undefined) =>
      each ? `${each.cpu_s} s CPU, ${each.rss_mb} MB` : "–";
    say("");
    say(
      `${entry.workers} workers, over these runs: primary ${figures(entry.primary)}; workers ${entry.workerProcesses.map(figures).join("; ")} (RSS after the runs).`,
    );
  }
}

/** The unfiltered first page measured with the same two sizes as `row`. */
const firstPageOf = (report: TargetReport, row: Growth) =>
  report.growth.find(
    (other) =>
      other.page === "first page" && other.small === row.small && other.large === row.large,
  );

function growthTable(say: (line: string) => void, report: TargetReport) {
  say(
    "| page (one connection, interleaved) | tasks | p50 ms | p95 ms | tasks | p50 ms | p95 ms | p50 × | p95 × | p50 × first page (small, large) |",
  );
  say("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const row of report.growth) {
    const a = row.smallStats;
    const b = row.largeStats;
    const first = firstPageOf(report, row);
    const vsFirst = first
      ? `${times(a.p50, first.smallStats.p50)}, ${times(b.p50, first.largeStats.p50)}`
      : "";
    say(
      `| ${row.page}${row.checked && !row.samePage ? " †" : ""} | ${row.small} | ${a.p50} | ${a.p95} | ${row.large} | ${b.p50} | ${b.p95} | ${times(b.p50, a.p50)} | ${times(b.p95, a.p95)} | ${vsFirst} |`,
    );
  }
  if (report.growth.some((row) => row.checked && !row.samePage)) {
    say("");
    say("† The page holds more tasks at the larger size: no growth target, only the first page's.");
  }
}

interface Check {
  label: string;
  value: string;
  met: boolean;
}

function checks(report: TargetReport, jwt: JwtTiming): Check[] {
  const api = report.runs.filter((run) => run.server === "api");
  const bare = report.runs.filter((run) => run.server === "bare");
  const list: Check[] = [];
  for (const run of api.filter((each) => each.kind === "workload")) {
    const reference = bare.find(
      (each) => each.kind === "workload" && each.scenario === run.scenario,
    );
    const goal = TARGET_RATIO[run.scenario];
    if (!reference || goal === undefined) continue;
    const ratio = run.stats.rps / reference.stats.rps;
    list.push({
      label: `API/bare ≥ ${goal}: ${run.scenario}`,
      value: `${fixed(ratio, 2)}${sqlDiffers(report, run.scenario) ? " (SQL differs: not comparable)" : ""}`,
      met: ratio >= goal && !sqlDiffers(report, run.scenario),
    });
  }
  const main = api.filter((run) => run.kind === "workload" || run.kind === "scenario");
  const worstP95 = main.reduce((worst, run) => (run.stats.p95 > worst.stats.p95 ? run : worst));
  list.push({
    label: `p95 < ${TARGET_P95_MS} ms on every route at ${worstP95.connections} connections`,
    value: `worst ${worstP95.stats.p95} ms (${worstP95.scenario})`,
    met: worstP95.stats.p95 < TARGET_P95_MS,
  });
  const rated = api.filter((run) => run.kind === "rate");
  if (rated.length > 0) {
    const worst = rated.reduce((a, b) => (b.stats.p99 > a.stats.p99 ? b : a));
    const slowest = rated.reduce((a, b) => (b.stats.rps < a.stats.rps ? b : a));
    const keptUp = (run: Run) => run.stats.rps >= 0.95 * (run.rate ?? 0);
    list.push({
      label: `p99 < ${TARGET_RATE_P99_MS} ms on every route at ${worst.rate} req/s (${worst.connections} connections)`,
      value:
        `worst ${worst.stats.p99} ms (${worst.scenario})` +
        (rated.every(keptUp)
          ? ""
          : `; only ${slowest.stats.rps} req/s answered (${slowest.scenario})`),
      met: rated.every(
        (run) => run.stats.p99 < TARGET_RATE_P99_MS && failed(run.stats) === 0 && keptUp(run),
      ),
    });
  }
  for (const run of api.filter((each) => each.kind === "many")) {
    list.push({
      label: `${run.connections} connections: no errors, no request over ${TARGET_MANY_MAX_MS / 1000} s`,
      value: `${failed(run.stats)} errors, max ${run.stats.max} ms`,
      met: failed(run.stats) === 0 && run.stats.max <= TARGET_MANY_MAX_MS,
    });
  }
  for (const row of report.growth.filter((each) => each.checked && each.samePage)) {
    const ratio = row.largeStats.p50 / row.smallStats.p50;
    list.push({
      label: `${row.page}: ${row.large} tasks within ${TARGET_GROWTH}× of ${row.small} (p50)`,
      value: times(row.largeStats.p50, row.smallStats.p50),
      met: ratio <= TARGET_GROWTH,
    });
  }
  // Issue 7, item 4: a filtered or searched page costs within 2× of the unfiltered one, at
  // 10,000 tasks and more.
  for (const row of report.growth.filter((each) => each.page !== "first page")) {
    const first = firstPageOf(report, row);
    if (!first || row.large < TARGET_FILTER_FROM_TASKS) continue;
    const ratio = row.largeStats.p50 / first.largeStats.p50;
    list.push({
      label: `${row.page}: within ${TARGET_FILTER}× of the first page at ${row.large} tasks (p50)`,
      value: times(row.largeStats.p50, first.largeStats.p50),
      met: ratio <= TARGET_FILTER,
    });
  }
  const rss = report.rss.api?.after_soak_mb;
  if (rss !== undefined) {
    list.push({
      label: `RSS after the soak < ${TARGET_RSS_MB} MB per process`,
      value: `${rss} MB`,
      met: rss < TARGET_RSS_MB,
    });
  }
  list.push({
    label: `JWT check < ${TARGET_JWT_COLD_US} µs cold, < ${TARGET_JWT_CACHED_US} µs cached`,
    value: `${jwt.verify_us_signature_checked} µs, ${jwt.verify_us_cached} µs`,
    met:
      jwt.verify_us_signature_checked < TARGET_JWT_COLD_US &&
      jwt.verify_us_cached < TARGET_JWT_CACHED_US,
  });
  return list;
}

export function printReport(say: (line: string) => void, report: Report) {
  say(
    `Benchmark ${report.date}: Node ${report.node}, ${report.cpus} × ${report.cpu_model}, ${report.elapsed_s} s. ` +
      `${report.options.duration} s per run; per-user rate limit ${report.rate_limit_per_minute}/min.`,
  );
  for (const target of report.targets) {
    say("");
    say(`### ${target.target}`);
    say("");
    if (target.target === "postgres") {
      const pool = target.pool;
      const settings = pool
        ? [
            `max ${pool.max}`,
            pool.connectionTimeoutMillis && `connect timeout ${pool.connectionTimeoutMillis} ms`,
            pool.query_timeout && `query timeout ${pool.query_timeout} ms`,
            pool.statement_timeout && `statement_timeout ${pool.statement_timeout} ms`,
          ]
            .filter(Boolean)
            .join(", ")
        : "";
      say(
        `Bare server: node:http + pg, the API's SQL as named prepared statements, no auth; pool ${
          pool ? `${settings} (captured from the API)` : "max 10 (the API's pool was not captured)"
        }.`,
      );
    } else {
      say("Bare server: none (the API's database runs inside its process).");
    }
    say("");
    mainTable(say, target);
    say("");
    growthTable(say, target);
    say("");
    if (target.workers) {
      workersTable(say, target.workers);
      say("");
    }
    const rss = target.rss;
    say(
      `Memory (RSS, largest process): API ${rss.api?.idle_mb ?? "–"} MB idle, ${rss.api?.after_soak_mb ?? "–"} MB after the soak (peak ${rss.api?.peak_mb ?? "–"} MB)` +
        (rss.bare ? `; bare ${rss.bare.after_runs_mb} MB after its runs.` : "."),
    );
    for (const entry of target.parity ?? []) {
      if (!entry.matches) {
        say(`SQL differs for "${entry.workload}": the API ran`);
        for (const text of entry.api) say(`    ${text}`);
        say("  the bare server runs");
        for (const text of entry.bare) say(`    ${text}`);
      }
    }
    if (target.sameAnswers?.length === 0) {
      say("Answers: the bare server's task JSON and list headers equal the API's.");
    }
    for (const difference of target.sameAnswers ?? []) say(`Answers differ: ${difference}`);
    if (target.parity?.every((entry) => entry.matches)) {
      say(
        `SQL: the bare server's statements equal the API's for all ${target.parity.length} workloads.`,
      );
    }
    const others = new Set((target.parity ?? []).flatMap((entry) => entry.other));
    if (others.size > 0)
      say(`Other statements the API ran for these requests: ${[...others].join("; ")}`);
    say("");
    say(
      target.target === "postgres"
        ? "Targets (issue 7):"
        : "Targets (issue 7; they are set for Postgres, shown here for information):",
    );
    say("");
    for (const check of checks(target, report.jwt)) {
      say(`- ${check.met ? "✓" : "✗"} ${check.label}: ${check.value}`);
    }
  }
  say("");
  say(
    `JWT verification (EdDSA): ${report.jwt.verify_us_signature_checked} µs with the signature checked, ${report.jwt.verify_us_cached} µs cached`,
  );
  say(
    `Per-user task limit (CPU per request): ${report.rate_limit.middleware_us_synced} µs shared across replicas, ${report.rate_limit.middleware_us_memory} µs in memory only; store ${report.rate_limit.increment_us_synced} µs`,
  );
  for (const cost of report.change_log ?? []) say(describeLogCost(cost));
  if (report.metrics) {
    say(
      `Metrics (METRICS_TOKEN set): ${report.metrics.observe_us} µs to observe a request, ${report.metrics.middleware_us} µs CPU added per request; a scrape of ${report.metrics.series} series takes ${report.metrics.scrape_ms} ms`,
    );
  }
}

/** Failures that make a run's figures meaningless (overload runs report theirs as results). */
export function unexpectedFailures(reports: TargetReport[]): string[] {
  const lines: string[] = [];
  for (const report of reports) {
    for (const run of report.runs) {
      if (run.kind !== "workload" && run.kind !== "scenario") continue;
      const errors = run.scenario.includes("401") ? run.stats.errors : failed(run.stats);
      if (errors > 0)
        lines.push(`${report.target}/${run.server}/${run.scenario}: ${errors} failed requests`);
    }
    for (const run of report.workers?.runs ?? []) {
      if (failed(run.stats) > 0) {
        lines.push(
          `${report.target}/${run.workers} workers/${run.scenario}: ${failed(run.stats)} failed requests`,
        );
      }
    }
    for (const row of report.growth) {
      if (failed(row.smallStats) + failed(row.largeStats) > 0) {
        lines.push(`${report.target}/growth/${row.page}: failed requests`);
      }
    }
    for (const difference of report.sameAnswers ?? []) {
      lines.push(`${report.target}: the bare server answers differently: ${difference}`);
    }
    for (const entry of report.parity ?? []) {
      if (!entry.matches) {
        lines.push(
          `${report.target}: the bare server's SQL for "${entry.workload}" differs from the API's; update bench/bare-sql.ts`,
        );
      }
    }
  }
  return lines;
}
