import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/env";
import { createServer } from "../../src/server";
import { histogramSeries, parseMetrics, samplesOf } from "../support/prometheus-text";
import {
  createTestServer,
  TEST_BASE_URL,
  TEST_SECRET,
  type TestServer,
  type TestUser,
} from "../support/test-server";

const TOKEN = "metrics-token-for-tests-0123456789";
const DURATION = "http_request_duration_seconds";

let server: TestServer;
let user: TestUser;
beforeAll(async () => {
  // A per-user limit of 2 a minute, which /metrics must not be subject to.
  server = await createTestServer({ METRICS_TOKEN: TOKEN, RATE_LIMIT_PER_MINUTE: "2" });
  user = await server.signUp();
});
afterAll(() => server.close());

const scrape = (headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) =>
  server.request("/metrics", { headers });

async function scrapeParsed() {
  const response = await scrape();
  expect(response.status).toBe(200);
  return parseMetrics(response.body);
}

/** The request histogram's series whose labels include `labels`. */
async function durationSeries(labels: Record<string, string>) {
  const family = (await scrapeParsed()).get(DURATION);
  if (!family) return [];
  return histogramSeries(family).filter((series) =>
    Object.entries(labels).every(([key, value]) => series.labels[key] === value),
  );
}

/** Requests of one method, route pattern and status counted so far. */
async function countOf(labels: Record<string, string>): Promise<number> {
  const [series, ...more] = await durationSeries(labels);
  expect(more).toHaveLength(0);
  return series?.count ?? 0;
}

describe("GET /metrics", () => {
  it("does not exist without METRICS_TOKEN: a 404 like any unknown path", async () => {
    const off = await createTestServer();
    try {
      const response = await off.request("/metrics", {
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    } finally {
      await off.close();
    }
  });

  it("answers 401 problem+json, uncached, without the token, with a wrong one, or another scheme", async () => {
    const refused: Record<string, string>[] = [
      {},
      { Authorization: "Bearer metrics-token-for-tests-0123456788" },
      { Authorization: "Bearer short" },
      { Authorization: `Bearer ${TOKEN}x` },
      { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { Authorization: `Basic ${Buffer.from(`prometheus:${TOKEN}`).toString("base64")}` },
      { Authorization: TOKEN },
      { Authorization: `Bearer ${"a".repeat(5000)}` },
    ];
    for (const headers of refused) {
      const response = await scrape(headers);
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.body).toMatchObject({ status: 401, request_id: expect.any(String) });
      expect(JSON.stringify(response.body)).not.toContain(TOKEN);
    }
  });

  it("serves Prometheus's text format to the token's bearer, uncached, never limited per user", async () => {
    for (let i = 0; i < 5; i++) {
      const response = await scrape({ Authorization: `bearer ${TOKEN}` });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("ratelimit")).toBeNull();
    }
  });

  it("counts requests by method, route pattern and status, with no user or task id in any label", async () => {
    const list = { method: "GET", route: "/api/:user_id/tasks", status: "200" };
    const before = await countOf(list);
    for (let i = 0; i < 2; i++) {
      const response = await server.call("GET", `/api/${user.id}/tasks`, { token: user.jwt });
      expect(response.status).toBe(200);
    }
    // Over this test's per-user limit: still counted, with its own status.
    const limited = await server.call("GET", `/api/${user.id}/tasks/987654`, { token: user.jwt });
    expect(limited.status).toBe(429);
    expect(await countOf(list)).toBe(before + 2);

    const families = await scrapeParsed();
    expect(families.get(DURATION)?.type).toBe("histogram");
    expect(await durationSeries({ method: "GET", status: "429" })).toHaveLength(1);
    for (const sample of families.get(DURATION)?.samples ?? []) {
      for (const value of Object.values(sample.labels)) {
        expect(value).not.toContain(user.id);
        expect(value).not.toContain("987654");
      }
    }
  });

  it("has cumulative latency buckets from 1 ms to 5 s, the last one equal to the count", async () => {
    await server.call("GET", `/api/${user.id}/tasks`);
    const [series] = await durationSeries({ method: "GET", status: "401" });
    expect(series?.buckets.map(([le]) => le)).toEqual([
      "0.001",
      "0.0025",
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "5",
      "+Inf",
    ]);
    // parseMetrics has checked that they are cumulative and that +Inf equals the count.
    expect(series?.count).toBeGreaterThan(0);
    expect(series?.sum).toBeGreaterThan(0);
  });

  it("names methods beyond the usual seven `other`, so that a client cannot add series", async () => {
    await server.request("/health", { method: "PROPFIND" });
    const families = await scrapeParsed();
    const methods = new Set(families.get(DURATION)?.samples.map((sample) => sample.labels.method));
    expect(methods).toContain("other");
    expect(methods).not.toContain("PROPFIND");
  });

  it("reports the process: memory, event-loop lag, heap", async () => {
    const families = await scrapeParsed();
    for (const name of [
      "process_resident_memory_bytes",
      "nodejs_eventloop_lag_seconds",
      "nodejs_eventloop_lag_p99_seconds",
      "nodejs_heap_size_used_bytes",
    ]) {
      expect(families.get(name)?.type, name).toBe("gauge");
    }
  });

  it("reports the Postgres pool (in use, idle, waiting, size), and only the engine for PGlite", async () => {
    const families = await scrapeParsed();
    const engine = server.database.kind;
    expect(samplesOf(families, "todo_database_info", { engine })[0]?.value).toBe(1);
    if (engine === "pglite") {
      expect(families.has("todo_db_pool_connections")).toBe(false);
      return;
    }
    const state = (name: string) =>
      samplesOf(families, "todo_db_pool_connections", { state: name })[0]?.value ?? Number.NaN;
    const max = samplesOf(families, "todo_db_pool_max")[0]?.value ?? Number.NaN;
    expect(max).toBe(10);
    // The requests above opened at least one connection, which waits idle now.
    expect(state("idle")).toBeGreaterThanOrEqual(1);
    expect(state("in_use")).toBeGreaterThanOrEqual(0);
    expect(state("idle") + state("in_use")).toBeLessThanOrEqual(max);
    expect(samplesOf(families, "todo_db_pool_waiting")[0]?.value).toBe(0);
  });
});

describe("scrapes in the request log", () => {
  it("log a successful scrape at debug only, a refused one at info", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const config = loadConfig({
      BETTER_AUTH_URL: TEST_BASE_URL,
      BETTER_AUTH_SECRET: TEST_SECRET,
      METRICS_TOKEN: TOKEN,
    });
    const { app } = await createServer(config, server.database, pino({ level: "info" }, sink));
    const ok = await app.request("/metrics", { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(lines).toHaveLength(0);
    const refused = await app.request("/metrics");
    expect(refused.status).toBe(401);
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: 30, req: { method: "GET", route: "/metrics" }, res: { status: 401 } },
    ]);
  });
});
