/**
 * `npm run bench`: the built API under load on PostgreSQL and on PGlite, next to a bare
 * `node:http` + `pg` server running the same SQL (Postgres only; bench/bare-server.ts). Prints one
 * table per target and writes JSON to artifacts/bench/. Settings: bench/options.ts and the README.
 *
 *   npm run bench                                  full run (about 9 minutes on 2 cores)
 *   BENCH_QUICK=1 npm run bench                    short runs, for development
 *   BENCH_TARGETS=postgres BENCH_DURATION=10 npm run bench
 *   BENCH_TARGETS=postgres BENCH_WORKERS=1,2 npm run bench:quick   the API at WEB_CONCURRENCY 1 and 2
 *
 * The load generator shares the machine's cores with the servers: compare rows within one run
 * (API against bare, 100,000 tasks against 1,000) rather than with other runs or machines.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import pg from "pg";
import { createPglite } from "../src/db/client";
import type { BarePoolOptions } from "./bare-server";
import { type Workload, workloadNames } from "./bare-sql";
import type { CapturedPool } from "./capture-sql";
import { type LogCost, logCostOnPglite, logCostOnPostgres } from "./change-log-cost";
import { jwtTiming } from "./jwt-timing";
import {
  cycle,
  interleaved,
  type LoadOptions,
  load,
  type NextStep,
  type Sample,
  type Stats,
  type Step,
  sample,
  statsOf,
} from "./load";
import { metricsTiming } from "./metrics-timing";
import { options, type Target } from "./options";
import { rateLimitTiming } from "./rate-limit-timing";
import { printReport, type Run, type TargetReport, unexpectedFailures } from "./report";
import {
  FEW_MATCHES,
  FEW_TERM,
  RARE_TERM,
  SEARCH_TERM,
  type Sql,
  seedTasks,
  withPostgres,
} from "./seed";
import { cpuMsOfTree, type RunningServer, rssOfTree, startServer, stopServer } from "./servers";
import { capturedPool, compareWorkload, parseCapture, type SqlParity } from "./sql-parity";
import { compareWorkers } from "./workers";

const apiRoot = fileURLToPath(new URL("../", import.meta.url));
const repoRoot = join(apiRoot, "..", "..");
const benchDist = join(apiRoot, "dist", "bench");
const outDir = join(repoRoot, "artifacts", "bench");
const logDir = join(outDir, "logs");
const logOf = (target: Target, server: string) => join(logDir, `${target}-${server}.log`);

/** The per-user limit of the task routes: on, as in production, and far above any user here. */
const RATE_LIMIT_PER_MINUTE = 10_000_000;
const SMALL = 100;
const BIG = 10_000;
const GROWTH_BASE = 1_000;
/** Writes are spread over several users, as real traffic is (each user's counter row is a lock). */
const WRITERS = 8;
const WRITER_TASKS = 100;
const say = (line: string) => process.stdout.write(`${line}\n`);
const started = Date.now();
const progress = (target: Target, line: string) =>
  say(`[${target}, ${Math.round((Date.now() - started) / 1000)} s] ${line}`);

interface User {
  id: string;
  headers: Record<string, string>;
}

interface Users {
  small: User;
  big: User;
  growthBase: User;
  growth: User;
  writers: User[];
  parity: User;
}

async function signUp(base: string, name: string): Promise<User> {
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { Origin: base, "Content-Type": "application/json" },
    body: JSON.stringify({
      email: `${name}-${Date.now()}@example.com`,
      password: "benchmark-password",
      name,
    }),
  });
  if (!response.ok) throw new Error(`sign-up of ${name}: ${response.status}`);
  const body = (await response.json()) as { user: { id: string } };
  const session = response.headers.get("set-auth-token") ?? "";
  const tokenResponse = await fetch(`${base}/api/auth/token`, {
    headers: { Authorization: `Bearer ${session}`, Origin: base },
  });
  const { token } = (await tokenResponse.json()) as { token: string };
  return {
    id: body.user.id,
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
  };
}

async function signUpAll(base: string): Promise<Users> {
  const writers: User[] = [];
  for (let i = 0; i < WRITERS; i += 1) writers.push(await signUp(base, `writer${i}`));
  return {
    small: await signUp(base, "small"),
    big: await signUp(base, "big"),
    growthBase: await signUp(base, "growth-base"),
    growth: await signUp(base, "growth"),
    writers,
    parity: await signUp(base, "parity"),
  };
}

const tasksPath = (user: User) => `/api/${encodeURIComponent(user.id)}/tasks`;

let created = 0;
const createBody = () => {
  created += 1;
  return JSON.stringify({
    title: `Task ${created} pick up ${SEARCH_TERM}`,
    priority: (["low", "medium", "high"] as const)[created % 3],
    tags: [`t${created % 7}`],
  });
};

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  const response = await fetch(url, { headers });
  if (!response.ok) throw new Error(`GET ${url}: ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Sends each workload's request three times to an API started with bench/capture-sql.ts and
 * compares the statements of the third (warm: keys, sessions and connections loaded) with the
 * bare server's.
 */
async function captureApiSql(
  base: string,
  user: User,
  logFile: string,
): Promise<{ parity: SqlParity[]; pool: CapturedPool | undefined }> {
  const path = tasksPath(user);
  const send = async (method: Step["method"], url: string, body?: string) => {
    const response = await fetch(`${base}${url}`, { method, headers: user.headers, body });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
    return text;
  };
  const task = JSON.parse(await send("POST", path, createBody())) as { id: number };
  const requests: Record<Workload, () => Promise<string>> = {
    "get one": () => send("GET", `${path}/${task.id}`),
    "list, first page": () => send("GET", `${path}?limit=50`),
    create: () => send("POST", path, createBody()),
    "update (PUT title)": () =>
      send("PUT", `${path}/${task.id}`, JSON.stringify({ title: "renamed" })),
    "toggle (PATCH complete)": () => send("PATCH", `${path}/${task.id}/complete`),
  };
  let seen = (await readFile(logFile, "utf8")).length;
  const linesSince = async () => {
    const text = await readFile(logFile, "utf8");
    const lines = parseCapture(text.slice(seen));
    seen = text.length;
    return lines;
  };
  const parity: SqlParity[] = [];
  for (const workload of workloadNames) {
    for (let i = 0; i < 3; i += 1) await requests[workload]();
    await linesSince();
    await requests[workload]();
    parity.push(compareWorkload(workload, await linesSince()));
  }
  return { parity, pool: capturedPool(parseCapture(await readFile(logFile, "utf8"))) };
}

/** Gives every user their tasks with INSERT … SELECT generate_series, then refreshes statistics. */
async function seedAll(sql: Sql, users: Users) {
  await seedTasks(sql, users.small.id, SMALL);
  await seedTasks(sql, users.big.id, BIG);
  await seedTasks(sql, users.growthBase.id, GROWTH_BASE);
  await seedTasks(sql, users.growth.id, options.growthTasks);
  for (const writer of users.writers) await seedTasks(sql, writer.id, WRITER_TASKS);
  await sql.query("analyze");
}

/** A list URL at `fraction` of the user's tasks, reached by following Link headers. */
async function deepPage(base: string, user: User, total: number, fraction: number) {
  const step = 100;
  let url = `${base}${tasksPath(user)}?limit=${step}`;
  for (let page = 0; page < Math.floor((total * fraction) / step); page += 1) {
    const response = await fetch(url, { headers: user.headers });
    await response.arrayBuffer();
    const next = /^<([^>]+)>/.exec(response.headers.get("link") ?? "")?.[1];
    if (!next) throw new Error(`no next page after page ${page} of ${user.id}`);
    url = `${base}${next}`;
  }
  const deep = new URL(url);
  deep.searchParams.set("limit", "50");
  return deep.toString();
}

/**
 * The bare server must answer what the API answers: the same task JSON, byte for byte, and the
 * same list headers. Checked on reads, which change nothing.
 */
async function sameAnswers(api: RunningServer, bare: RunningServer, user: User, taskId: number) {
  const differences: string[] = [];
  for (const path of [`${tasksPath(user)}/${taskId}`, `${tasksPath(user)}?limit=50`]) {
    const [a, b] = await Promise.all(
      [api, bare].map((server) => fetch(`${server.base}${path}`, { headers: user.headers })),
    );
    if (!a || !b) continue;
    const [bodyA, bodyB] = await Promise.all([a.text(), b.text()]);
    if (a.status !== b.status) differences.push(`${path}: status ${a.status} and ${b.status}`);
    if (bodyA !== bodyB) differences.push(`${path}: the bodies differ`);
    for (const header of ["content-type", "etag", "x-total-count", "link"]) {
      if (a.headers.get(header) !== b.headers.get(header)) {
        differences.push(
          `${path}: ${header} "${a.headers.get(header)}" and "${b.headers.get(header)}"`,
        );
      }
    }
  }
  return differences;
}

/** Each workload as a stream of requests, spread over the users and tasks chosen for it. */
function workloadSteps(
  users: Users,
  bigIds: number[],
  writerTasks: [User, number][],
): Record<Workload, NextStep> {
  const readOne = cycle(bigIds);
  const writer = cycle(users.writers);
  const writerTask = cycle(writerTasks);
  let renamed = 0;
  return {
    "get one": () => ({
      method: "GET",
      path: `${tasksPath(users.big)}/${readOne()}`,
      headers: users.big.headers,
    }),
    "list, first page": () => ({
      method: "GET",
      path: `${tasksPath(users.big)}?limit=50`,
      headers: users.big.headers,
    }),
    create: () => {
      const user = writer();
      return { method: "POST", path: tasksPath(user), headers: user.headers, body: createBody() };
    },
    "update (PUT title)": () => {
      const [user, id] = writerTask();
      renamed += 1;
      return {
        method: "PUT",
        path: `${tasksPath(user)}/${id}`,
        headers: user.headers,
        body: JSON.stringify({ title: `Renamed ${renamed}` }),
      };
    },
    "toggle (PATCH complete)": () => {
      const [user, id] = writerTask();
      return { method: "PATCH", path: `${tasksPath(user)}/${id}/complete`, headers: user.headers };
    },
  };
}

const apiEnv = (target: Target, database: string): Record<string, string> => ({
  NODE_ENV: "production",
  BETTER_AUTH_SECRET: "benchmark-secret-benchmark-secret-0123456789",
  RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE),
  // Sign-up limits (decision 018) would refuse the benchmark's dozen sign-ups from one address.
  AUTH_RATE_LIMIT: "false",
  LOG_LEVEL: "warn",
  ...(target === "postgres" ? { DATABASE_URL: database } : { DATA_DIR: database }),
});

async function withSql<T>(target: Target, database: string, work: (sql: Sql) => Promise<T>) {
  if (target === "postgres") return withPostgres(database, work);
  // PGlite allows one process at a time: the server is stopped while this runs.
  const client = await createPglite({ dataDir: join(database, "pglite") });
  try {
    return await work({
      query: async <Row>(text: string, params?: unknown[]) => client.query<Row>(text, params),
    });
  } finally {
    await client.close();
  }
}

/**
 * The list pages compared across sizes (issue 7, items 4 and 5): unfiltered, filtered, searched
 * (a term in one task in five, one in a thousand, and one in FEW_MATCHES tasks at any size), and
 * a cursor page deep in the list.
 */
function listPages(base: string, user: User) {
  const path = `${base}${tasksPath(user)}`;
  const weekAhead = new Date(Date.now() + 7 * 86_400_000).toISOString();
  return [
    ["first page", `${path}?limit=50`],
    ["status+priority filter", `${path}?status=pending&priority=high&limit=50`],
    ["tag filter", `${path}?tag=t3&limit=50`],
    [
      "due within a week, by due date",
      `${path}?due_before=${weekAhead}&sort=due_date&order=asc&limit=50`,
    ],
    [`search q=${SEARCH_TERM} (1 in 5)`, `${path}?q=${SEARCH_TERM}&limit=50`],
    [`search q=${FEW_TERM} (${FEW_MATCHES} tasks)`, `${path}?q=${FEW_TERM}&limit=50`],
    [`search q=${RARE_TERM} (1 in 1,000)`, `${path}?q=${RARE_TERM}&limit=50`],
  ].map(([page = "", url = ""]) => ({ page, url }));
}

/** Each page of listPages at two sizes, interleaved on one connection; rows into report.growth. */
async function compareSizes(
  base: string,
  report: TargetReport,
  checked: boolean,
  [smallUser, small]: [User, number],
  [largeUser, large]: [User, number],
) {
  const deep = "cursor page at 90%";
  const smallPages = [
    ...listPages(base, smallUser),
    { page: deep, url: await deepPage(base, smallUser, small, 0.9) },
  ];
  const largePages = [
    ...listPages(base, largeUser),
    { page: deep, url: await deepPage(base, largeUser, large, 0.9) },
  ];
  const cases = smallPages.flatMap((page, index) => [
    { url: page.url, headers: smallUser.headers },
    { url: largePages[index]?.url ?? "", headers: largeUser.headers },
  ]);
  // A page with more tasks at the larger size has no growth target (report.ts): the rare term's
  // holds 1 task at 1,000 and 50 at 100,000.
  const tasksOn = async ({ url, headers }: (typeof cases)[number]) =>
    (await getJson<unknown[]>(url, headers)).length;
  const counts = await Promise.all(cases.map(tasksOn));
  const stats = await interleaved(cases, options.rounds, options.roundsSeconds);
  for (const [index, { page }] of smallPages.entries()) {
    const smallStats = stats[index * 2];
    const largeStats = stats[index * 2 + 1];
    const samePage = counts[index * 2] === counts[index * 2 + 1];
    if (smallStats && largeStats) {
      report.growth.push({
        checked,
        samePage,
        page,
        small,
        large,
        smallStats,
        largeStats,
      });
    }
  }
}

async function benchTarget(target: Target, database: string): Promise<TargetReport> {
  const report: TargetReport = { target, runs: [], growth: [], rss: {} };
  const env = apiEnv(target, database);
  const apiScript = join(apiRoot, "dist", "index.js");

  // 1. Users, signed up through the API. On Postgres this copy of the API also records its SQL.
  const sqlLog = join(await mkdtemp(join(tmpdir(), "todo-bench-sql-")), "statements.jsonl");
  await writeFile(sqlLog, "");
  progress(target, `signing up ${WRITERS + 5} users…`);
  const setup = await startServer({
    script: apiScript,
    env: { ...env, ...(target === "postgres" ? { BENCH_SQL_LOG: sqlLog } : {}) },
    preload: target === "postgres" ? join(benchDist, "capture-sql.js") : undefined,
    authUrl: true,
    logFile: logOf(target, "api"),
  });
  const base = setup.base;
  let users: Users;
  try {
    users = await signUpAll(base);
    if (target === "postgres") {
      const captured = await captureApiSql(base, users.parity, sqlLog);
      report.parity = captured.parity;
      report.pool = captured.pool;
    }
  } finally {
    await stopServer(setup);
    await rm(join(sqlLog, ".."), { recursive: true, force: true });
  }

  // 2. Tasks, straight into the database.
  progress(
    target,
    `seeding ${options.growthTasks + BIG + GROWTH_BASE + SMALL + WRITERS * WRITER_TASKS} tasks with SQL…`,
  );
  await withSql(target, database, (sql) => seedAll(sql, users));

  // 3. The measured servers. The API keeps its port: its JWTs name its URL as issuer and audience.
  const api = await startServer({
    script: apiScript,
    env: { ...env, BETTER_AUTH_URL: base },
    port: Number(new URL(base).port),
    logFile: logOf(target, "api"),
  });
  // BENCH_WORKERS: copies of the API on the same database and URL, one per WEB_CONCURRENCY.
  const startApi = (workers: number) =>
    startServer({
      script: apiScript,
      env: { ...env, BETTER_AUTH_URL: base, WEB_CONCURRENCY: String(workers) },
      logFile: logOf(target, `api-${workers}-workers`),
    });
  let bare: RunningServer | undefined;
  try {
    if (target === "postgres") {
      const { kind: _kind, ...captured } = report.pool ?? { kind: "pool" };
      const pool: BarePoolOptions = { ...captured, max: captured.max ?? 10 };
      bare = await startServer({
        script: join(benchDist, "bare-server.js"),
        env: { DATABASE_URL: database, BARE_POOL: JSON.stringify(pool) },
        logFile: logOf(target, "bare"),
      });
    }
    await measure(target, report, users, api, bare, startApi);
  } finally {
    await stopServer(api);
    if (bare) await stopServer(bare);
  }
  return report;
}

async function measure(
  target: Target,
  report: TargetReport,
  users: Users,
  api: RunningServer,
  bare: RunningServer | undefined,
  startApi: (workers: number) => Promise<RunningServer>,
) {
  const servers = bare ? [api, bare] : [api];
  const nameOf = (server: RunningServer) => (server === bare ? "bare" : "api");
  const record = (run: Omit<Run, "target">) => {
    report.runs.push({ target, ...run });
    return run;
  };
  report.rss.api = { idle_mb: await maxRss(api) };

  const bigIds = (
    await getJson<{ id: number }[]>(
      `${api.base}${tasksPath(users.big)}?limit=200`,
      users.big.headers,
    )
  ).map((task) => task.id);
  // One writer after another, so that concurrent writes fall on different users' counter rows.
  const writerLists = await Promise.all(
    users.writers.map((writer) =>
      getJson<{ id: number }[]>(
        `${api.base}${tasksPath(writer)}?limit=${WRITER_TASKS}`,
        writer.headers,
      ),
    ),
  );
  const writerTasks: [User, number][] = [];
  for (let index = 0; index < WRITER_TASKS; index += 1) {
    for (const [n, writer] of users.writers.entries()) {
      const task = writerLists[n]?.[index];
      if (task) writerTasks.push([writer, task.id]);
    }
  }
  const steps = workloadSteps(users, bigIds, writerTasks);
  if (bare) report.sameAnswers = await sameAnswers(api, bare, users.big, bigIds[0] ?? 0);
  const mixed = workloadNames.map((name) => steps[name]);

  progress(target, `warming up…`);
  for (const server of servers) {
    await load({ base: server.base, steps: mixed, connections: 20, duration: 2 });
  }

  const { duration, connections } = options;
  progress(target, `workloads, ${connections} connections, ${duration} s each…`);
  for (const workload of workloadNames) {
    const results = await paired(servers, { steps: [steps[workload]], connections, duration });
    for (const [server, stats] of results) {
      record({ kind: "workload", server: nameOf(server), scenario: workload, connections, stats });
    }
  }

  if (options.workers.length > 1) {
    if (target === "postgres") {
      progress(target, `the API with WEB_CONCURRENCY ${options.workers.join(", ")}…`);
      report.workers = await compareWorkers({ startApi, steps, paired });
    } else {
      progress(target, "BENCH_WORKERS left out: WEB_CONCURRENCY above 1 needs Postgres");
    }
  }

  progress(target, `list scenarios…`);
  const big = tasksPath(users.big);
  const deep10k = await deepPage(api.base, users.big, BIG, 0.75);
  const get = async (scenario: string, url: string, headers: Record<string, string>) => {
    const path = url.replace(api.base, "");
    const results = await paired([api], {
      steps: [() => ({ method: "GET", path, headers })],
      connections,
      duration,
    });
    for (const stats of results.values()) {
      record({ kind: "scenario", server: "api", scenario, connections, stats });
    }
  };
  await get("health (no auth, no database)", "/health", {});
  await get(
    `list, first page of ${SMALL}`,
    `${tasksPath(users.small)}?limit=50`,
    users.small.headers,
  );
  // Browsers and fetch ask for gzip; autocannon, and so every other throughput run, does not
  // (decision 051).
  await get("list, first page, gzip as browsers ask", `${big}?limit=50`, {
    ...users.big.headers,
    "Accept-Encoding": "gzip, deflate, br, zstd",
  });
  await get(`list, page 150 of ${BIG} (cursor)`, deep10k, users.big.headers);
  await get(
    `list, ${BIG}, status+priority filter`,
    `${big}?status=pending&priority=high&limit=50`,
    users.big.headers,
  );
  await get(`list, ${BIG}, sort=title`, `${big}?sort=title&order=asc&limit=50`, users.big.headers);
  await get(
    `list, ${BIG}, search q=${SEARCH_TERM}`,
    `${big}?q=${SEARCH_TERM}&limit=50`,
    users.big.headers,
  );
  await get(
    `list, ${BIG}, search q=${RARE_TERM}`,
    `${big}?q=${RARE_TERM}&limit=50`,
    users.big.headers,
  );
  await get("rejected token (401)", `${big}?limit=50`, { Authorization: "Bearer a.b.c" });

  // One connection, requests in turn: each list page at two sizes, so that the only difference is
  // the number of tasks. 100 against 10,000 (shown), and 1,000 against 100,000 (issue 7's target).
  progress(target, `list pages at ${SMALL} and ${BIG} tasks…`);
  await compareSizes(api.base, report, false, [users.small, SMALL], [users.big, BIG]);
  progress(target, `growth: ${options.growthTasks} tasks against ${GROWTH_BASE}…`);
  await compareSizes(
    api.base,
    report,
    true,
    [users.growthBase, GROWTH_BASE],
    [users.growth, options.growthTasks],
  );

  // autocannon -R: each connection may send its share of the rate per second, back to back from
  // the start of each second, so the load comes in bursts as wide as the number of connections.
  const rateConnections = options.rateConnections;
  progress(
    target,
    `fixed offered load, ${options.rate} req/s over ${rateConnections} connections…`,
  );
  for (const workload of workloadNames) {
    const results = await paired(servers, {
      steps: [steps[workload]],
      connections: rateConnections,
      duration,
      overallRate: options.rate,
    });
    for (const [server, stats] of results) {
      record({
        kind: "rate",
        server: nameOf(server),
        scenario: workload,
        connections: rateConnections,
        rate: options.rate,
        stats,
      });
    }
  }

  // A fixed number of requests, not a duration, so that every request is answered and counted:
  // one pass of each connection through the five workloads.
  progress(target, `${options.manyConnections} connections, all workloads in turn…`);
  for (const server of servers) {
    const stats = await load({
      ...on(server),
      steps: mixed,
      connections: options.manyConnections,
      amount: options.manyConnections * mixed.length,
    });
    record({
      kind: "many",
      server: nameOf(server),
      scenario: "all workloads in turn",
      connections: options.manyConnections,
      stats,
    });
  }

  progress(target, `soak: ${options.soakSeconds} s at ${options.soakConnections} connections…`);
  const before = await maxRss(api);
  let peak = before;
  const sampler = setInterval(async () => {
    peak = Math.max(peak, await maxRss(api));
  }, 1_000);
  const soak = await load({
    ...on(api),
    steps: mixed,
    connections: options.soakConnections,
    duration: options.soakSeconds,
  }).finally(() => clearInterval(sampler));
  const after = await maxRss(api);
  record({
    kind: "soak",
    server: "api",
    scenario: `soak, all workloads in turn, ${options.soakSeconds} s`,
    connections: options.soakConnections,
    stats: soak,
  });
  report.rss.api = {
    ...report.rss.api,
    before_soak_mb: before,
    after_soak_mb: after,
    peak_mb: Math.max(peak, after),
  };
  if (bare) report.rss.bare = { after_runs_mb: await maxRss(bare) };
}

/** Load options aimed at a server, with its CPU time measured. */
const on = (server: RunningServer) => ({
  base: server.base,
  cpuMs: () => cpuMsOfTree(server.pid),
});

/**
 * The API and the bare server in turn, A B B A, half the time each: a change in the machine's
 * background load (it is shared) then falls on both alike. With one server, one run; with more
 * (BENCH_WORKERS), A B C C B A.
 *
 * Each half sends a fixed number of requests and waits for every answer, instead of stopping at
 * a deadline: a deadline drops the requests in flight, which hides the slowest answers from the
 * percentiles, lowers the slower server's throughput, and leaves its unfinished work running into
 * the other server's turn. The number is the offered rate times whole seconds (fixed-rate runs),
 * or what a one-second probe of the same workload answered per second, times the time.
 */
async function paired(
  servers: RunningServer[],
  options: Omit<LoadOptions, "base" | "amount" | "duration"> & { duration: number },
): Promise<Map<RunningServer, Stats>> {
  if (servers.length === 0) throw new Error("no server to measure");
  const { duration, ...rest } = options;
  const order = servers.length > 1 ? [...servers, ...[...servers].reverse()] : servers;
  const turns = servers.length > 1 ? 2 : 1;
  const amounts = new Map<RunningServer, number>();
  for (const server of servers) {
    if (rest.overallRate !== undefined) {
      // Whole seconds: autocannon paces a fixed rate one second at a time.
      const seconds = Math.max(1, Math.round(duration / turns));
      amounts.set(server, Math.max(rest.connections, rest.overallRate * seconds));
      continue;
    }
    const probe = await sample({ ...rest, base: server.base, duration: 1 });
    const perSecond = statsOf([probe]).rps;
    // Let the probe's unanswered requests finish before anything is measured.
    await new Promise((resolve) => setTimeout(resolve, 500));
    amounts.set(server, Math.max(rest.connections, Math.round((perSecond * duration) / turns)));
  }
  const samples = new Map<RunningServer, Sample[]>(servers.map((server) => [server, []]));
  for (const server of order) {
    const amount = amounts.get(server) ?? rest.connections;
    samples.get(server)?.push(await sample({ ...rest, ...on(server), amount }));
  }
  const fixedRate = rest.overallRate !== undefined;
  return new Map([...samples].map(([server, list]) => [server, statsOf(list, { fixedRate })]));
}

/** The largest resident set among the server's processes (one, unless it forks workers). */
async function maxRss(server: RunningServer): Promise<number> {
  const sizes = await rssOfTree(server.pid);
  return Math.max(...sizes.map((size) => size.mb));
}

async function buildAll() {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: apiRoot, stdio: "ignore" });
  await build({
    entryPoints: [
      join(apiRoot, "bench", "bare-server.ts"),
      join(apiRoot, "bench", "capture-sql.ts"),
    ],
    outdir: benchDist,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    packages: "external",
    logLevel: "warning",
  });
}

async function main() {
  say("Building the API and the bare server…");
  await buildAll();
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const reports: TargetReport[] = [];

  if (options.targets.includes("postgres")) {
    const name = `todo_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: options.adminUrl });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(options.adminUrl);
    url.pathname = `/${name}`;
    try {
      reports.push(await benchTarget("postgres", url.toString()));
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }
  if (options.targets.includes("pglite")) {
    const dataDir = await mkdtemp(join(tmpdir(), "todo-bench-"));
    try {
      reports.push(await benchTarget("pglite", dataDir));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const jwt = await jwtTiming();
  const rateLimit = await rateLimitTiming();
  const metrics = await metricsTiming();
  // What the change log adds to each write (decision 035), triggers on against off.
  const changeLog: LogCost[] = [];
  if (options.targets.includes("postgres"))
    changeLog.push(await logCostOnPostgres(options.adminUrl));
  if (options.targets.includes("pglite")) changeLog.push(await logCostOnPglite());

  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? "",
    elapsed_s: Math.round((Date.now() - started) / 1000),
    options: { ...options, adminUrl: undefined },
    rate_limit_per_minute: RATE_LIMIT_PER_MINUTE,
    targets: reports,
    jwt,
    rate_limit: rateLimit,
    metrics,
    change_log: changeLog,
  };
  say("");
  printReport(say, report);

  const file = join(outDir, `bench-${report.date.replaceAll(":", "-")}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  say(`\nWritten: ${file}; the servers' output is in ${logDir}.`);

  const failures = unexpectedFailures(reports);
  if (failures.length > 0) {
    say(
      `\nThe benchmark is not valid as it stands:\n${failures.map((line) => `  - ${line}`).join("\n")}`,
    );
    process.exitCode = 1;
  }
}

await main();
