/**
 * Builds of the API (and the bare server) in turns on one database, for CPU per request: the
 * before/after comparison of decision 041. Copy a build aside first (`cp -r dist dist-before`,
 * in apps/api so that it finds node_modules and drizzle/), then:
 *
 *   node --import tsx bench/turns.ts dist-before,dist,bare [get,list,put,patch] [seconds]
 *
 * Workloads: get, list, put, patch, and the list filtered (filter), searched for a common term
 * (search) and a rare one (rare), which the bare server does not serve, nor gzip as browsers ask
 * for it (list-gzip).
 *
 * Each build serves each workload at 100 connections (TURNS_CONNECTIONS) for `seconds`, in the
 * order given, then in reverse, TURNS_ROUNDS times (default 3), and the median and minimum CPU
 * µs per request are printed. A build may carry node flags after a `|` ("dist|--cpu-prof"), and
 * one setting after a second ("dist||MAX_REQUESTS_IN_PROGRESS=10"); the
 * API logs at TURNS_LOG_LEVEL (default `info`, as in production; `npm run bench` uses `warn`), to
 * TURNS_LOG_FILE (default /dev/null).
 * Data as in bench.ts: a user with 10,000 tasks for reads, 8 writers with 100 each for writes.
 * Postgres only (TEST_DATABASE_URL or 127.0.0.1:5432); a throwaway database, dropped at the end.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { cycle, load, type NextStep } from "./load";
import { RARE_TERM, SEARCH_TERM, seedTasks, withPostgres } from "./seed";
import {
  cpuMsOfTree,
  freePort,
  type RunningServer,
  rssOfTree,
  startServer,
  stopServer,
} from "./servers";
import { type BenchUser, signUp } from "./sign-up";

const apiRoot = fileURLToPath(new URL("../", import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);
const [builds = "dist", workloads = "get,list,put,patch", seconds = "4"] = process.argv.slice(2);
const rounds = Number(process.env.TURNS_ROUNDS ?? 3);
const connections = Number(process.env.TURNS_CONNECTIONS ?? 100);
const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `todo_turns_${process.pid}`;
const database = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

const apiEnv = (base: string) => ({
  NODE_ENV: "production",
  BETTER_AUTH_SECRET: "benchmark-secret-benchmark-secret-0123456789",
  RATE_LIMIT_PER_MINUTE: "10000000",
  AUTH_RATE_LIMIT: "false",
  LOG_LEVEL: process.env.TURNS_LOG_LEVEL ?? "info",
  DATABASE_URL: database,
  BETTER_AUTH_URL: base,
});

/** The API keeps one port throughout: its tokens name its URL as issuer and audience. */
function start(build: string, port: number): Promise<RunningServer> {
  const [dir = "dist", flags = "", setting = ""] = build.split("|");
  if (dir === "bare") {
    return startServer({
      script: join(apiRoot, "bench", "bare-server.ts"),
      preload: "tsx",
      nodeArgs: flags.split(" ").filter(Boolean),
      env: { DATABASE_URL: database },
      logFile: "/dev/null",
    });
  }
  const base = `http://127.0.0.1:${port}`;
  return startServer({
    script: join(apiRoot, dir, "index.js"),
    nodeArgs: flags.split(" ").filter(Boolean),
    env: {
      ...apiEnv(base),
      ...Object.fromEntries(setting ? [setting.split("=", 2)] : []),
    },
    port,
    logFile: process.env.TURNS_LOG_FILE ?? "/dev/null",
  });
}

async function seed(port: number) {
  const setup = await start(
    builds.split(",").find((build) => !build.startsWith("bare")) ?? "dist",
    port,
  );
  const reader = await signUp(setup.base, "reader");
  const writers: BenchUser[] = [];
  for (let n = 0; n < 8; n += 1) writers.push(await signUp(setup.base, `writer${n}`));
  await stopServer(setup);
  return withPostgres(database, async (sql) => {
    await seedTasks(sql, reader.id, 10_000);
    for (const writer of writers) await seedTasks(sql, writer.id, 100);
    await sql.query("analyze");
    const ids = async (user: BenchUser, limit: number) =>
      (
        await sql.query<{ id: number }>(
          "select id from tasks where user_id = $1 order by id desc limit $2",
          [user.id, limit],
        )
      ).rows.map((row) => row.id);
    const readIds = await ids(reader, 200);
    const writes: [BenchUser, number][] = [];
    for (const writer of writers) {
      for (const id of await ids(writer, 100)) writes.push([writer, id]);
    }
    return { reader, readIds, writes };
  });
}

function stepsOf({ reader, readIds, writes }: Awaited<ReturnType<typeof seed>>) {
  const tasks = (user: BenchUser) => `/api/${encodeURIComponent(user.id)}/tasks`;
  const nextRead = cycle(readIds);
  const nextWrite = cycle(writes);
  let renamed = 0;
  const steps: Record<string, NextStep> = {
    get: () => ({ method: "GET", path: `${tasks(reader)}/${nextRead()}`, headers: reader.headers }),
    list: () => ({ method: "GET", path: `${tasks(reader)}?limit=50`, headers: reader.headers }),
    "list-gzip": () => ({
      method: "GET",
      path: `${tasks(reader)}?limit=50`,
      headers: { ...reader.headers, "Accept-Encoding": "gzip, deflate, br, zstd" },
    }),
    filter: () => ({
      method: "GET",
      path: `${tasks(reader)}?status=pending&priority=high&limit=50`,
      headers: reader.headers,
    }),
    search: () => ({
      method: "GET",
      path: `${tasks(reader)}?q=${SEARCH_TERM}&limit=50`,
      headers: reader.headers,
    }),
    rare: () => ({
      method: "GET",
      path: `${tasks(reader)}?q=${RARE_TERM}&limit=50`,
      headers: reader.headers,
    }),
    put: () => {
      const [user, id] = nextWrite();
      renamed += 1;
      const body = JSON.stringify({ title: `Renamed ${renamed}` });
      return { method: "PUT", path: `${tasks(user)}/${id}`, headers: user.headers, body };
    },
    patch: () => {
      const [user, id] = nextWrite();
      return { method: "PATCH", path: `${tasks(user)}/${id}/complete`, headers: user.headers };
    },
  };
  return steps;
}

/** The workloads of stepsOf; the bare server serves no filters and compresses nothing. */
const API_ONLY = ["list-gzip", "filter", "search", "rare"];
const WORKLOADS = ["get", "list", "put", "patch", ...API_ONLY];

/** Refuses bad arguments before a minute of seeding. */
function checkArguments() {
  for (const workload of workloads.split(",")) {
    if (!WORKLOADS.includes(workload)) {
      throw new Error(`unknown workload ${workload} (${WORKLOADS.join(", ")})`);
    }
  }
  const filtered = workloads.split(",").some((workload) => API_ONLY.includes(workload));
  if (filtered && builds.split(",").some((build) => build.startsWith("bare"))) {
    throw new Error(`the bare server serves none of ${API_ONLY.join(", ")}: leave it out`);
  }
}

async function main() {
  checkArguments();
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const results = new Map<string, number[]>();
  try {
    const port = await freePort();
    const steps = stepsOf(await seed(port));
    const chosen = workloads.split(",").map((workload) => {
      const step = steps[workload];
      if (!step) throw new Error(`no steps for workload ${workload}`);
      return [workload, step] as const;
    });
    const order = builds.split(",");
    for (let round = 0; round < rounds; round += 1) {
      for (const build of round % 2 === 0 ? order : [...order].reverse()) {
        const server = await start(build, port);
        try {
          // Warm-up: V8 compiles the hot code of a new process as it runs.
          await load({
            base: server.base,
            steps: Object.values(steps),
            connections: 20,
            duration: 2,
          });
          for (const [workload, step] of chosen) {
            const stats = await load({
              base: server.base,
              steps: [step],
              connections,
              duration: Number(seconds),
              cpuMs: () => cpuMsOfTree(server.pid),
            });
            const rss = Math.max(...(await rssOfTree(server.pid)).map((each) => each.mb));
            const key = `${build} ${workload}`;
            results.set(key, [...(results.get(key) ?? []), stats.cpuUs ?? Number.NaN]);
            say(
              `${key}: ${stats.rps} req/s, ${stats.cpuUs} CPU µs/req, p99 ${stats.p99} ms, ` +
                `${stats.non2xx + stats.errors} failed, RSS ${rss} MB`,
            );
          }
        } finally {
          await stopServer(server);
        }
      }
    }
  } finally {
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  say("\nCPU µs/req, median (min) over the rounds:");
  for (const [key, values] of results) {
    const sorted = [...values].sort((a, b) => a - b);
    say(`${key}: ${sorted[Math.floor(sorted.length / 2)]} (${sorted[0]}) of ${values}`);
  }
}

await main();
