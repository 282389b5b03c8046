import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { inject } from "vitest";
import { postgresTestUrl, withDatabase } from "./postgres-url";

/**
 * The built server (dist/index.js, built once by test/setup/build-server.ts) as a real process on
 * a real port: for what only real HTTP shows (compression, keep-alive, signals, a second process).
 */

export const apiRoot = fileURLToPath(new URL("../../", import.meta.url));
export const serverEntry = join(apiRoot, "dist", "index.js");
export const PROCESS_SECRET = "a-secret-for-process-tests-only-0123456789";

declare module "vitest" {
  export interface ProvidedContext {
    /** Why the Postgres at TEST_DATABASE_URL cannot be used, or "" when it can. */
    postgresUnavailable: string;
  }
}

/** Only what a shell always has, so that a test states every variable the server gets. */
export const bareEnv = () => ({
  PATH: process.env.PATH ?? "/usr/bin:/bin",
  HOME: process.env.HOME ?? "/tmp",
});

export interface ServerProcess {
  /** e.g. http://127.0.0.1:40123 */
  base: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited(): Promise<number | null>;
  /** Sends a signal (SIGTERM by default) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  /** Extra variables on top of bareEnv(); PORT defaults to 0 (the system picks). */
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * Starts dist/index.js and resolves once it logs the port it listens on (LOG_LEVEL must let
 * `info` through) and answers /health.
 */
export async function startServerProcess(options: StartOptions = {}): Promise<ServerProcess> {
  const env = { ...bareEnv(), PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...options.env };
  const child = spawn(process.execPath, [serverEntry], {
    cwd: options.cwd ?? apiRoot,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no listening line within the time:\n${output}`)),
      options.timeoutMs ?? 30_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before listening:\n${output}`));
    });
  });
  const host = env.HOST.includes(":") ? `[${env.HOST}]` : env.HOST;
  const base = `http://${host}:${port}`;
  const health = await fetch(`${base}/health`).catch((error: unknown) => error);
  if (!(health instanceof Response) || !health.ok) {
    child.kill("SIGKILL");
    throw new Error(`listening but /health failed:\n${output}`);
  }
  return {
    base,
    port,
    child,
    output: () => output,
    exited: () => exit,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exit;
    },
  };
}

/** The reason the Postgres tests of the process project cannot run here, or "" when they can. */
export const postgresUnavailable = () => inject("postgresUnavailable");

/**
 * A new, empty database on the test Postgres (the server migrates it when it starts), dropped by
 * the returned function.
 */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = postgresTestUrl();
  const name = `todo_proc_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(adminUrl, name),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A database the server process can run on, and how to clean it up afterwards. */
export interface ProcessEngine {
  name: "postgres" | "pglite";
  /** Why this engine cannot be tested here ("" when it can). */
  skip: string;
  /** The database part of the server's environment: a scratch Postgres, or a PGlite DATA_DIR. */
  open(): Promise<{ env: Record<string, string>; cleanUp(): Promise<void> }>;
}

/** Both engines, for process tests that must hold on each. */
export function processEngines(): ProcessEngine[] {
  return [
    {
      name: "postgres",
      skip: postgresUnavailable(),
      open: async () => {
        const database = await createScratchDatabase();
        return { env: { DATABASE_URL: database.url }, cleanUp: database.drop };
      },
    },
    {
      name: "pglite",
      skip: "",
      open: async () => {
        const dir = await mkdtemp(join(tmpdir(), "todo-process-"));
        return { env: { DATA_DIR: dir }, cleanUp: () => rm(dir, { recursive: true, force: true }) };
      },
    },
  ];
}
