/**
 * Builds of the API side by side on one database, one request at a time: the before/after of a
 * list change at two sizes (decision 052). Copy a build aside first (`cp -r dist dist-before`, in
 * apps/api, so that it finds node_modules and drizzle/), then:
 *
 *   node --import tsx bench/side-by-side.ts dist-before,dist ["limit=50,q=visa&limit=50"]
 *
 * Two users, with 1,000 and 100,000 tasks (SIDE_TASKS) seeded as in bench.ts; SIDE_SMALL_USERS=N
 * adds N users of 5 tasks each, for plans made with many small owners in the statistics. Each page
 * (a query string) is asked of every build for both users in turn, on one connection, for 300
 * rounds (SIDE_ROUNDS) or 90 s, and the p50 is printed per build. Postgres only
 * (TEST_DATABASE_URL or 127.0.0.1:5432); a throwaway database, dropped at the end.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { interleaved } from "./load";
import { FEW_TERM, seedTasks, withPostgres } from "./seed";
import { freePort, type RunningServer, startServer, stopServer } from "./servers";
import { type BenchUser, signUp } from "./sign-up";

const apiRoot = fileURLToPath(new URL("../", import.meta.url));
const [builds = "dist-before,dist", pages = `limit=50,q=${FEW_TERM}&limit=50`] =
  process.argv.slice(2);
const largeTasks = Number(process.env.SIDE_TASKS ?? 100_000);
const smallUsers = Number(process.env.SIDE_SMALL_USERS ?? 0);
const rounds = Number(process.env.SIDE_ROUNDS ?? 300);
const adminUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const name = `todo_side_${process.pid}`;
const database = Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

function seed(small: BenchUser, large: BenchUser) {
  return withPostgres(database, async (sql) => {
    await seedTasks(sql, small.id, 1_000);
    await seedTasks(sql, large.id, largeTasks);
    if (smallUsers > 0) {
      await sql.query(
        `insert into tasks (user_id, title, completed)
         select 'small-' || (n % $1::int), 'small task ' || n, n % 3 = 0
         from generate_series(1, 5 * $1::int) as n`,
        [smallUsers],
      );
    }
    await sql.query("vacuum analyze");
  });
}

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const servers: RunningServer[] = [];
try {
  // Every build keeps the first one's URL as its own: its tokens name it as issuer and audience.
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    NODE_ENV: "production",
    BETTER_AUTH_SECRET: "benchmark-secret-benchmark-secret-0123456789",
    BETTER_AUTH_URL: base,
    RATE_LIMIT_PER_MINUTE: "10000000",
    AUTH_RATE_LIMIT: "false",
    LOG_LEVEL: "warn",
    DATABASE_URL: database,
  };
  for (const [index, build] of builds.split(",").entries()) {
    const script = join(apiRoot, build, "index.js");
    servers.push(
      await startServer({
        script,
        env,
        port: index === 0 ? port : undefined,
        logFile: "/dev/null",
      }),
    );
  }
  const small = await signUp(base, "small");
  const large = await signUp(base, "large");
  await seed(small, large);
  const cases = pages.split(",").flatMap((page) =>
    [small, large].flatMap((user) =>
      servers.map((server) => ({
        url: `${server.base}/api/${encodeURIComponent(user.id)}/tasks?${page}`,
        // Uncompressed: what is compared is the list's work, not zlib's.
        headers: { ...user.headers, "Accept-Encoding": "identity" },
        label: `${page} at ${user === small ? "1,000" : largeTasks.toLocaleString("en")}`,
      })),
    ),
  );
  await interleaved(cases, 20, 5);
  const stats = await interleaved(cases, rounds, 90);
  for (const [index, each] of stats.entries()) {
    if (each.non2xx > 0) throw new Error(`${cases[index]?.url}: ${each.statuses.join(", ")}`);
  }
  const names = builds.split(",");
  for (let index = 0; index < cases.length; index += servers.length) {
    const each = names.map((build, offset) => `${build} ${stats[index + offset]?.p50} ms`);
    process.stdout.write(`${cases[index]?.label}: ${each.join(", ")}\n`);
  }
} finally {
  for (const server of servers) await stopServer(server);
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
}
