/**
 * `npm run bench`: the built server under load, on PGlite and on PostgreSQL, with a user who has
 * 10,000 tasks next to one who has 100. Prints a table and writes JSON to artifacts/bench/.
 *
 *   BENCH_DURATION=5 BENCH_CONNECTIONS=50 BENCH_TARGETS=postgres,pglite npm run bench
 *
 * The load generator and the server share this machine's cores: compare rows within one run
 * (e.g. list latency with 10,000 tasks against 100) rather than with other machines.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import pg from "pg";
import { createJwtVerifier } from "../src/auth/verify-jwt";
import { PGLITE_ANALYZE_INTERVAL_MS } from "../src/db/maintenance";

const apiRoot = fileURLToPath(new URL("../", import.meta.url));
const repoRoot = join(apiRoot, "..", "..");
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TARGETS = (process.env.BENCH_TARGETS ?? "postgres,pglite").split(",");
const BIG = 10_000;
const SMALL = 100;
const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

interface Row {
  target: string;
  scenario: string;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

/** One autocannon run; latencies are recorded per response so that p95 is exact. */
async function load(target: string, scenario: string, options: autocannon.Options): Promise<Row> {
  const latencies: number[] = [];
  const length = options.amount === undefined ? { duration: DURATION } : {};
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { connections: CONNECTIONS, ...length, ...options },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    target,
    scenario,
    requests: result.requests.total,
    rps: Math.round(result.requests.average),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    max: round(latencies.at(-1) ?? Number.NaN),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/**
 * Alternates requests to a few URLs one at a time, so that each sees the same background noise:
 * the fair way to compare them on a shared 2-core machine.
 */
async function interleaved(
  target: string,
  cases: [string, string, Record<string, string>][],
  rounds = 400,
) {
  const latencies = cases.map(() => [] as number[]);
  for (let round = 0; round < rounds; round += 1) {
    for (const [index, [, url, headers]] of cases.entries()) {
      const start = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies[index]?.push(performance.now() - start);
    }
  }
  const round2 = (value: number) => Math.round(value * 100) / 100;
  return cases.map(([scenario], index): Row => {
    const sorted = (latencies[index] ?? []).sort((a, b) => a - b);
    return {
      target,
      scenario,
      requests: sorted.length,
      rps: Math.round(1000 / (sorted.reduce((sum, value) => sum + value, 0) / sorted.length)),
      p50: round2(percentile(sorted, 50)),
      p95: round2(percentile(sorted, 95)),
      p99: round2(percentile(sorted, 99)),
      max: round2(sorted.at(-1) ?? Number.NaN),
      non2xx: 0,
      errors: 0,
    };
  });
}

async function startServer(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; base: string }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(apiRoot, "dist", "index.js")], {
    env: {
      PATH: process.env.PATH ?? "",
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      BETTER_AUTH_URL: base,
      BETTER_AUTH_SECRET: "benchmark-secret-benchmark-secret-0123456789",
      RATE_LIMIT_PER_MINUTE: "0",
      LOG_LEVEL: "warn",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (
      await fetch(`${base}/ready`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { child, base };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error("server did not become ready");
}

async function signUp(base: string, name: string) {
  const response = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { Origin: base, "Content-Type": "application/json" },
    body: JSON.stringify({
      email: `${name}-${Date.now()}@example.com`,
      password: "benchmark-password",
      name,
    }),
  });
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

async function benchTarget(target: string, env: Record<string, string>): Promise<Row[]> {
  const { child, base } = await startServer(env);
  const rows: Row[] = [];
  try {
    const big = await signUp(base, "big");
    const small = await signUp(base, "small");
    const tasks = (user: { id: string }) => `${base}/api/${user.id}/tasks`;
    let n = 0;
    const body = () =>
      JSON.stringify({
        title: `Task ${n++} pick up groceries`,
        priority: ["low", "medium", "high"][n % 3],
        tags: [`t${n % 7}`],
      });

    say(`[${target}] creating ${BIG} tasks for one user and ${SMALL} for another…`);
    const create = await load(target, `create (POST, ${BIG} requests)`, {
      url: tasks(big),
      method: "POST",
      headers: big.headers,
      amount: BIG,
      requests: [{ method: "POST", setupRequest: (request) => ({ ...request, body: body() }) }],
    });
    rows.push(create);
    await load(target, "seed", {
      url: tasks(small),
      method: "POST",
      headers: small.headers,
      amount: SMALL,
      connections: 10,
      body: body(),
    });

    // Steady state: Postgres' autovacuum would analyze the new rows within a minute, and the server
    // does it for PGlite every PGLITE_ANALYZE_INTERVAL_MS; without statistics the planner sorts.
    if (env.DATABASE_URL) {
      const client = new pg.Client({ connectionString: env.DATABASE_URL });
      await client.connect();
      await client.query("analyze");
      await client.end();
    } else {
      await new Promise((resolve) => setTimeout(resolve, PGLITE_ANALYZE_INTERVAL_MS + 1_000));
    }

    const first = (await (
      await fetch(`${tasks(big)}?limit=1`, { headers: big.headers })
    ).json()) as { id: number }[];
    const taskId = first[0]?.id ?? 1;
    // A cursor from deep in the big user's list: page 150 of 200.
    let deep = `${tasks(big)}?limit=50`;
    for (let page = 0; page < 150; page += 1) {
      const link = (await fetch(deep, { headers: big.headers })).headers.get("link") ?? "";
      deep = `${base}${/^<([^>]+)>/.exec(link)?.[1] ?? ""}`;
    }

    say(`[${target}] measuring (${CONNECTIONS} connections, ${DURATION} s each)…`);
    const get = (scenario: string, url: string, headers: Record<string, string>) =>
      load(target, scenario, { url, headers });
    rows.push(await get("health (no auth, no database)", `${base}/health`, {}));
    rows.push(await get(`list, first page of ${SMALL}`, `${tasks(small)}?limit=50`, small.headers));
    rows.push(await get(`list, first page of ${BIG}`, `${tasks(big)}?limit=50`, big.headers));
    rows.push(await get(`list, page 150 of ${BIG} (cursor)`, deep, big.headers));
    rows.push(
      await get(
        `list, ${BIG}, status+priority filter`,
        `${tasks(big)}?status=pending&priority=high&limit=50`,
        big.headers,
      ),
    );
    rows.push(
      await get(
        `list, ${BIG}, sort=title`,
        `${tasks(big)}?sort=title&order=asc&limit=50`,
        big.headers,
      ),
    );
    rows.push(
      await get(`list, ${BIG}, search q=`, `${tasks(big)}?q=Task%2012&limit=50`, big.headers),
    );
    rows.push(
      ...(await interleaved(target, [
        [
          `list, first page of ${SMALL} (interleaved, 1 connection)`,
          `${tasks(small)}?limit=50`,
          small.headers,
        ],
        [
          `list, first page of ${BIG} (interleaved, 1 connection)`,
          `${tasks(big)}?limit=50`,
          big.headers,
        ],
      ])),
    );
    rows.push(await get("get one", `${tasks(big)}/${taskId}`, big.headers));
    rows.push(
      await load(target, "update (PUT)", {
        url: `${tasks(big)}/${taskId}`,
        method: "PUT",
        headers: big.headers,
        body: JSON.stringify({ title: "renamed", priority: "low" }),
      }),
    );
    rows.push(
      await load(target, "toggle (PATCH complete)", {
        url: `${tasks(big)}/${taskId}/complete`,
        method: "PATCH",
        headers: big.headers,
      }),
    );
    rows.push(
      await get("rejected token (401)", `${tasks(big)}?limit=50`, {
        Authorization: "Bearer a.b.c",
      }),
    );
  } finally {
    // Wait for the graceful shutdown, so that the database is idle before it is dropped.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  return rows;
}

/** JWT verification cost: every token new (signature checked) versus the same token again (cached). */
async function benchJwt() {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "EdDSA" };
  const verify = createJwtVerifier({
    issuer: "i",
    audience: "a",
    keys: { source: "local", load: async () => ({ keys: [jwk] }) },
  });
  const count = 2_000;
  const tokens = await Promise.all(
    Array.from({ length: count }, (_, i) =>
      new SignJWT({})
        .setProtectedHeader({ alg: "EdDSA", kid: "k1" })
        .setSubject(`user-${i}`)
        .setIssuer("i")
        .setAudience("a")
        .setIssuedAt()
        .setExpirationTime("1h")
        .sign(privateKey),
    ),
  );
  await verify(tokens[0] ?? "");
  let start = performance.now();
  for (const token of tokens) await verify(token);
  const cold = ((performance.now() - start) * 1000) / count;
  start = performance.now();
  for (let i = 0; i < 5; i += 1) for (const token of tokens) await verify(token);
  const cached = ((performance.now() - start) * 1000) / (count * 5);
  return {
    verify_us_signature_checked: Math.round(cold),
    verify_us_cached: Math.round(cached * 100) / 100,
  };
}

async function main() {
  say("Building the API…");
  execFileSync("npm", ["run", "build", "--silent"], { cwd: apiRoot, stdio: "ignore" });
  const rows: Row[] = [];

  if (TARGETS.includes("postgres")) {
    const name = `todo_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    try {
      rows.push(...(await benchTarget("postgres", { DATABASE_URL: url.toString() })));
    } finally {
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  }
  if (TARGETS.includes("pglite")) {
    const dataDir = await mkdtemp(join(tmpdir(), "todo-bench-"));
    try {
      rows.push(...(await benchTarget("pglite", { DATA_DIR: dataDir })));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  const jwt = await benchJwt();

  say("");
  say(
    `| target | scenario | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | non-2xx | errors |`,
  );
  say(`| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
  for (const r of rows.filter((row) => row.scenario !== "seed")) {
    say(
      `| ${r.target} | ${r.scenario} | ${r.requests} | ${r.rps} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.non2xx} | ${r.errors} |`,
    );
  }
  say("");
  say(
    `JWT verification (EdDSA): ${jwt.verify_us_signature_checked} µs with the signature checked, ${jwt.verify_us_cached} µs cached`,
  );
  for (const target of new Set(rows.map((row) => row.target))) {
    const of = (scenario: string) =>
      rows.find((row) => row.target === target && row.scenario === scenario);
    const bigList = of(`list, first page of ${BIG} (interleaved, 1 connection)`);
    const smallList = of(`list, first page of ${SMALL} (interleaved, 1 connection)`);
    if (bigList && smallList) {
      say(
        `[${target}] list latency with ${BIG} tasks / with ${SMALL} tasks (interleaved): ` +
          `p50 ${(bigList.p50 / smallList.p50).toFixed(2)}×, p95 ${(bigList.p95 / smallList.p95).toFixed(2)}×`,
      );
    }
  }

  const outDir = join(repoRoot, "artifacts", "bench");
  await mkdir(outDir, { recursive: true });
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: (await import("node:os")).cpus().length,
    duration_s: DURATION,
    connections: CONNECTIONS,
    rows,
    jwt,
  };
  const file = join(outDir, `bench-${report.date.replaceAll(":", "-")}.json`);
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, "latest.json"), `${JSON.stringify(report, null, 2)}\n`);
  say(`\nWritten: ${file}`);
  const failed = rows.filter(
    (row) => row.errors > 0 || (row.non2xx > 0 && !row.scenario.includes("401")),
  );
  if (failed.length > 0) {
    say(`Requests failed in: ${failed.map((row) => `${row.target}/${row.scenario}`).join(", ")}`);
    process.exitCode = 1;
  }
}

await main();
