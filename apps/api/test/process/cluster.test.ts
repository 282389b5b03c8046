import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DRAIN_TIMEOUT_MS } from "../../src/shutdown";
import { signUpOverHttp } from "../support/http-user";
import {
  bareEnv,
  createScratchDatabase,
  PROCESS_SECRET,
  postgresUnavailable,
  type ServerProcess,
  serverEntry,
  startServerProcess,
} from "../support/server-process";
import { sleep } from "../support/tokens";
import { openUnfinishedRequest } from "../support/unfinished-request";

/**
 * WEB_CONCURRENCY (decision 026): the built server as a primary and its workers on one port, on
 * real Postgres. Which process answered is read from the log (every line carries its pid), not
 * from an endpoint: the server does not tell clients its process ids.
 */

const ORIGIN = "http://localhost:3000";
const WORKERS = 2;
const unavailable = postgresUnavailable();
if (unavailable) console.warn(`[cluster] SKIPPING the Postgres tests: ${unavailable}`);

interface LogLine {
  pid: number;
  msg: string;
  workerPid?: number;
  workers?: number;
  code?: number | null;
}

function logLines(output: string): LogLine[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogLine);
}

/** Worker pids, from the primary's "worker listening" lines, in order. */
const listeningWorkers = (output: string) =>
  logLines(output)
    .filter((line) => line.msg === "worker listening")
    .map((line) => line.workerPid);

/** The pids that logged anything in `output` other than the primary. */
const answeringPids = (output: string, primary: number | undefined) =>
  new Set(
    logLines(output)
      .map((line) => line.pid)
      .filter((pid) => pid !== primary),
  );

/**
 * A GET on a connection of its own (fetch would reuse one): node:cluster hands out connections,
 * not requests, to its workers in turn.
 */
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

/** The processes a process started (Linux). */
function childPids(pid: number | undefined): number[] {
  const tasks = pid === undefined ? [] : readdirSync(`/proc/${pid}/task`);
  return tasks.flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, "utf8")
      .split(" ")
      .filter(Boolean)
      .map(Number),
  );
}

async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe("WEB_CONCURRENCY without DATABASE_URL", () => {
  it("refuses to start, saying that the embedded database belongs to one process", async () => {
    const child = spawn(process.execPath, [serverEntry], {
      env: {
        ...bareEnv(),
        PORT: "0",
        DATA_DIR: "/nonexistent/never-created",
        WEB_CONCURRENCY: "2",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const code = await new Promise((resolve) => child.once("exit", resolve));
    expect(code).toBe(1);
    expect(output).toContain("WEB_CONCURRENCY=2 needs DATABASE_URL");
    expect(output).not.toContain("worker listening");
  });
});

describe.skipIf(unavailable)(`WEB_CONCURRENCY=${WORKERS} on Postgres`, () => {
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let server: ServerProcess;
  const env = () => ({
    DATABASE_URL: database.url,
    NODE_ENV: "test",
    BETTER_AUTH_SECRET: PROCESS_SECRET,
    BETTER_AUTH_URL: ORIGIN,
    RATE_LIMIT_PER_MINUTE: "0",
    WEB_CONCURRENCY: String(WORKERS),
  });

  beforeAll(async () => {
    database = await createScratchDatabase();
    server = await startServerProcess({ env: env() });
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await database?.drop();
  });

  it("migrates once in the primary, starts every worker, and says it listens once", () => {
    const lines = logLines(server.output());
    const primary = server.child.pid;
    expect(lines.filter((line) => line.msg === "database migrations applied")).toEqual([
      expect.objectContaining({ pid: primary }),
    ]);
    expect(new Set(listeningWorkers(server.output())).size).toBe(WORKERS);
    expect(lines.filter((line) => line.msg.startsWith("hackathon-todo listening on"))).toEqual([
      expect.objectContaining({ pid: primary, workers: WORKERS }),
    ]);
  });

  it("serves a task round trip, and answers from every worker", async () => {
    const user = await signUpOverHttp(server.base, ORIGIN);
    const auth = { Authorization: `Bearer ${user.jwt}` };
    const tasks = `${server.base}/api/${user.id}/tasks`;
    const created = await fetch(tasks, {
      method: "POST",
      headers: { ...auth, "Content-Type": "application/json" },
      body: JSON.stringify({ title: "served by one of two" }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };

    const before = server.output().length;
    const reads = [];
    for (let i = 0; i < 8; i += 1) reads.push(await getOnNewConnection(`${tasks}/${id}`, auth));
    for (const read of reads) {
      expect(read.status).toBe(200);
      expect(JSON.parse(read.body)).toMatchObject({ id, title: "served by one of two" });
    }
    const listed = await fetch(tasks, { headers: auth });
    expect(((await listed.json()) as { id: number }[]).map((task) => task.id)).toEqual([id]);
    await until(
      () => answeringPids(server.output().slice(before), server.child.pid).size >= WORKERS,
      5_000,
      `request lines from ${WORKERS} workers`,
    );
    expect(answeringPids(server.output().slice(before), server.child.pid)).toEqual(
      new Set(listeningWorkers(server.output())),
    );
  });

  it("replaces a worker that dies, and the new one serves", async () => {
    const [victim, survivor] = listeningWorkers(server.output());
    if (!victim || !survivor) throw new Error("no workers in the log");
    process.kill(victim, "SIGKILL");
    await until(
      () => listeningWorkers(server.output()).length > WORKERS,
      10_000,
      "a replacement worker",
    );
    const replacement = listeningWorkers(server.output()).at(-1);
    expect(replacement).not.toBe(victim);
    expect(logLines(server.output())).toContainEqual(
      expect.objectContaining({ msg: "a worker exited; starting another", workerPid: victim }),
    );

    const before = server.output().length;
    for (let i = 0; i < 6; i += 1) {
      expect((await getOnNewConnection(`${server.base}/health`)).status).toBe(200);
    }
    await until(
      () => answeringPids(server.output().slice(before), server.child.pid).size >= WORKERS,
      5_000,
      "request lines from the replacement",
    );
    expect(answeringPids(server.output().slice(before), server.child.pid)).toEqual(
      new Set([survivor, replacement]),
    );
  });

  it("stops on SIGTERM: every worker drains and exits 0, then the primary exits 0", async () => {
    const code = await server.stop("SIGTERM");
    const stopped = logLines(server.output()).filter((line) => line.msg === "worker stopped");
    expect(stopped).toHaveLength(WORKERS);
    expect(stopped.map((line) => line.code)).toEqual([0, 0]);
    expect(code, server.output()).toBe(0);
  });
});

describe.skipIf(unavailable)(`WEB_CONCURRENCY=${WORKERS}: failures reach the exit code`, () => {
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(() => database?.drop());
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    BETTER_AUTH_SECRET: PROCESS_SECRET,
    BETTER_AUTH_URL: ORIGIN,
    WEB_CONCURRENCY: String(WORKERS),
    ...extra,
  });

  it("exits 1 when a worker's drain had to destroy a connection", async () => {
    const server = await startServerProcess({ env: env() });
    try {
      await openUnfinishedRequest(server.port);
      const signalledAt = performance.now();
      server.child.kill("SIGTERM");
      expect(await server.exited(), server.output()).toBe(1);
      const exitMs = performance.now() - signalledAt;
      expect(exitMs).toBeGreaterThanOrEqual(DRAIN_TIMEOUT_MS - 50);
      expect(exitMs).toBeLessThan(DRAIN_TIMEOUT_MS + 1_500);
      expect(server.output()).toContain("DrainTimedOut");
    } finally {
      await server.stop("SIGKILL");
    }
  }, 30_000);

  it("stops workers that were still starting when SIGTERM came, and exits 0", async () => {
    const child = spawn(process.execPath, [serverEntry], {
      env: { ...bareEnv(), PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...env() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const code = new Promise((resolve) => child.once("exit", resolve));
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    // Once the primary has forked (its handlers are in place by then), and long before its
    // workers listen: loading the server takes them about a second.
    await until(() => childPids(child.pid).length > 0, 15_000, "the primary forking");
    expect(output).not.toContain("worker listening");
    const signalledAt = performance.now();
    child.kill("SIGTERM");
    expect(await code, output).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(5_000);
    expect(logLines(output).filter((line) => line.msg === "worker stopped")).toHaveLength(WORKERS);
  });

  it("exits 1 at once when the workers cannot start (the port is taken)", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const address = taken.address();
    const port = typeof address === "object" && address ? address.port : 0;
    try {
      const started = startServerProcess({ env: env({ PORT: String(port) }), timeoutMs: 15_000 });
      const failure = await started.then(
        () => "started",
        (error: Error) => error.message,
      );
      expect(failure).toMatch(/server exited \(1\) before listening/);
      expect(failure).toContain("EADDRINUSE");
      expect(failure).toContain("a worker exited before the server was listening");
    } finally {
      taken.close();
    }
  });
});
