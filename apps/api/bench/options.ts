/**
 * The benchmark's settings, read once from the environment (see README, "Benchmark"). The defaults
 * are the full run; BENCH_QUICK=1 is a short one for development.
 */
const env = process.env;
const quick = env.BENCH_QUICK === "1" || env.BENCH_QUICK === "true";

function number(name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

const targets = (env.BENCH_TARGETS ?? "postgres,pglite")
  .split(",")
  .map((target) => target.trim())
  .filter(Boolean);
for (const target of targets) {
  if (target !== "postgres" && target !== "pglite") {
    throw new Error(`BENCH_TARGETS: unknown target "${target}" (postgres, pglite)`);
  }
}

/** BENCH_WORKERS=1,2: the WEB_CONCURRENCY values to compare (1, the measured API, always among them). */
const workers = [
  ...new Set([
    1,
    ...(env.BENCH_WORKERS ?? "1")
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean)
      .map((item) => {
        const value = Number(item);
        if (!Number.isInteger(value) || value < 1 || value > 32) {
          throw new Error(`BENCH_WORKERS: "${item}" is not a worker count from 1 to 32`);
        }
        return value;
      }),
  ]),
].sort((a, b) => a - b);

export const options = {
  quick,
  targets: targets as ("postgres" | "pglite")[],
  /** Seconds per load run. */
  duration: number("BENCH_DURATION", quick ? 2 : 5),
  /** Connections of the main runs: the p95 target is at 100. */
  connections: number("BENCH_CONNECTIONS", 100),
  /** Offered load of the fixed-rate runs (autocannon -R), requests per second. */
  rate: number("BENCH_RATE", 500),
  /** Connections of the fixed-rate runs: autocannon's default, as with `autocannon -R 500`. */
  rateConnections: number("BENCH_RATE_CONNECTIONS", 10),
  /** Connections of the overload run. */
  manyConnections: number("BENCH_MANY_CONNECTIONS", quick ? 250 : 1000),
  /** The soak after which the server's memory is read. */
  soakSeconds: number("BENCH_SOAK_SECONDS", quick ? 10 : 60),
  soakConnections: number("BENCH_SOAK_CONNECTIONS", 500),
  /** Tasks of the growth user, compared with a user of 1,000. */
  growthTasks: number("BENCH_GROWTH_TASKS", quick ? 20_000 : 100_000),
  /** Rounds of the interleaved single-connection comparisons, and their time cap per set. */
  rounds: number("BENCH_ROUNDS", quick ? 40 : 300),
  roundsSeconds: number("BENCH_ROUNDS_SECONDS", quick ? 5 : 20),
  /** WEB_CONCURRENCY values whose workloads are compared (Postgres only); [1]: no comparison. */
  workers,
  adminUrl: env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
};

export type Target = (typeof options.targets)[number];
