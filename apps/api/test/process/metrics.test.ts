import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { signUpOverHttp } from "../support/http-user";
import { histogramSeries, parseMetrics, samplesOf } from "../support/prometheus-text";
import {
  createScratchDatabase,
  PROCESS_SECRET,
  postgresUnavailable,
  processEngines,
  startServerProcess,
} from "../support/server-process";

// The built server as Prometheus meets it: a scrape over real HTTP, compressed as Prometheus asks,
// after real requests; and the log it writes meanwhile (decision 032).

const ORIGIN = "http://localhost:3000";
const TOKEN = "process-metrics-token-0123456789";

for (const engine of processEngines()) {
  if (engine.skip) console.warn(`[process] skipping /metrics on ${engine.name}: ${engine.skip}`);

  describe.skipIf(engine.skip)(`/metrics from the built server (${engine.name})`, () => {
    it("counts the requests served, by route pattern, for the token's bearer only", async () => {
      const database = await engine.open();
      const server = await startServerProcess({
        env: {
          ...database.env,
          NODE_ENV: "production",
          BETTER_AUTH_SECRET: PROCESS_SECRET,
          BETTER_AUTH_URL: ORIGIN,
          METRICS_TOKEN: TOKEN,
        },
      });
      try {
        const user = await signUpOverHttp(server.base, ORIGIN);
        const tasks = `${server.base}/api/${user.id}/tasks`;
        const auth = { Authorization: `Bearer ${user.jwt}` };
        for (let i = 0; i < 3; i++) {
          const created = await fetch(tasks, {
            method: "POST",
            headers: { ...auth, "Content-Type": "application/json" },
            body: JSON.stringify({ title: `task ${i}` }),
          });
          expect(created.status).toBe(201);
        }

        const refused = await fetch(`${server.base}/metrics`);
        expect(refused.status).toBe(401);
        expect(refused.headers.get("content-type")).toBe("application/problem+json");

        const scrape = await fetch(`${server.base}/metrics`, {
          headers: { Authorization: `Bearer ${TOKEN}`, "Accept-Encoding": "gzip" },
        });
        expect(scrape.status).toBe(200);
        expect(scrape.headers.get("content-encoding")).toBe("gzip");
        const text = await scrape.text();
        expect(text).not.toContain(user.id);
        const families = parseMetrics(text);
        const durations = families.get("http_request_duration_seconds");
        if (!durations) throw new Error("no http_request_duration_seconds");
        const creates = histogramSeries(durations).find(
          ({ labels }) =>
            labels.method === "POST" &&
            labels.route === "/api/:user_id/tasks" &&
            labels.status === "201",
        );
        expect(creates?.count).toBe(3);
        expect(samplesOf(families, "todo_database_info", { engine: engine.name })).toHaveLength(1);
        expect(families.has("todo_db_pool_connections")).toBe(engine.name === "postgres");
        expect(samplesOf(families, "process_resident_memory_bytes")[0]?.value).toBeGreaterThan(0);
        // The admission gate (decision 044), at its default: twice the pool's 10 connections.
        expect(samplesOf(families, "todo_http_requests_in_progress_max")[0]?.value).toBe(20);
        expect(samplesOf(families, "todo_http_requests_waiting")[0]?.value).toBe(0);

        // One JSON line per request; the scrape that succeeded is not among them at info.
        const lines = server
          .output()
          .split("\n")
          .filter((line) => line.includes('"msg":"request"'))
          .map((line) => JSON.parse(line) as { req: { route: string }; res: { status: number } });
        const scrapes = lines.filter((line) => line.req.route === "/metrics");
        expect(scrapes.map((line) => line.res.status)).toEqual([401]);
        expect(lines.filter((line) => line.req.route === "/api/:user_id/tasks")).toHaveLength(3);
      } finally {
        await server.stop();
        await database.cleanUp();
      }
      // A server start on a busy machine (PGlite migrates a new database) takes most of 20 s.
    }, 60_000);
  });
}

describe("LOG_FORMAT=pretty", () => {
  it("writes a line a person reads per request, and no JSON", async () => {
    const [pglite] = processEngines().filter((engine) => engine.name === "pglite");
    if (!pglite) throw new Error("no PGlite engine");
    const database = await pglite.open();
    const server = await startServerProcess({
      env: {
        ...database.env,
        NODE_ENV: "test",
        BETTER_AUTH_SECRET: PROCESS_SECRET,
        BETTER_AUTH_URL: ORIGIN,
        LOG_FORMAT: "pretty",
      },
    });
    try {
      expect((await fetch(`${server.base}/ready`)).status).toBe(200);
      await expect.poll(() => server.output()).toMatch(/INFO: GET \/ready 200 [\d.]+ ms/);
      const lines = server.output().split("\n").filter(Boolean);
      expect(lines.length).toBeGreaterThan(2);
      for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /);
    } finally {
      await server.stop();
      await database.cleanUp();
    }
  }, 60_000);
});

/** A GET on a connection of its own: node:cluster hands connections, not requests, to workers. */
function getOnNewConnection(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { agent: false, headers }, (response) => {
      let body = "";
      response.on("data", (chunk) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`[process] skipping /metrics with WEB_CONCURRENCY: ${unavailable}`);

describe.skipIf(unavailable)("/metrics with WEB_CONCURRENCY=2", () => {
  it("every scrape, whichever worker answers it, counts the requests of both", async () => {
    const database = await createScratchDatabase();
    const server = await startServerProcess({
      env: {
        DATABASE_URL: database.url,
        NODE_ENV: "test",
        BETTER_AUTH_SECRET: PROCESS_SECRET,
        BETTER_AUTH_URL: ORIGIN,
        WEB_CONCURRENCY: "2",
        METRICS_TOKEN: TOKEN,
        // Scrapes are logged at debug: their lines show which worker answered each.
        LOG_LEVEL: "debug",
      },
    });
    try {
      const HEALTH_CHECKS = 10;
      for (let i = 0; i < HEALTH_CHECKS; i++) {
        expect((await getOnNewConnection(`${server.base}/health`)).status).toBe(200);
      }
      const counts: number[] = [];
      for (let i = 0; i < 4; i++) {
        const scrape = await getOnNewConnection(`${server.base}/metrics`, {
          Authorization: `Bearer ${TOKEN}`,
        });
        expect(scrape.status, scrape.body).toBe(200);
        const durations = parseMetrics(scrape.body).get("http_request_duration_seconds");
        if (!durations) throw new Error("no http_request_duration_seconds");
        const health = histogramSeries(durations).find(
          ({ labels }) => labels.route === "/health" && labels.status === "200",
        );
        counts.push(health?.count ?? 0);
      }
      // startServerProcess's own /health check came first: one more than ours.
      expect(counts).toEqual(Array(4).fill(HEALTH_CHECKS + 1));

      const pidsByRoute = (route: string) =>
        new Set(
          server
            .output()
            .split("\n")
            .filter((line) => line.includes('"msg":"request"'))
            .map((line) => JSON.parse(line) as { pid: number; req: { route: string } })
            .filter((line) => line.req.route === route)
            .map((line) => line.pid),
        );
      // Both workers served health checks, and both answered scrapes.
      expect(pidsByRoute("/health").size).toBe(2);
      expect(pidsByRoute("/metrics").size).toBe(2);
    } finally {
      await server.stop();
      await database.drop();
    }
  }, 60_000);
});
