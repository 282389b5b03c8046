import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bareEnv, serverEntry } from "../support/server-process";

const entry = serverEntry;

interface Running {
  child: ChildProcess;
  output: () => string;
}

function start(cwd: string, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [entry], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

async function waitForHealth(base: string, running: Running, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null)
      throw new Error(`server exited early:\n${running.output()}`);
    const ok = await fetch(`${base}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`no /health within ${timeoutMs} ms:\n${running.output()}`);
}

function stop(running: Running): Promise<number | null> {
  if (running.child.exitCode !== null) return Promise.resolve(running.child.exitCode);
  return new Promise((resolve) => {
    running.child.once("exit", (code) => resolve(code));
    running.child.kill("SIGTERM");
  });
}

function exitOf(running: Running): Promise<number | null> {
  if (running.child.exitCode !== null) return Promise.resolve(running.child.exitCode);
  return new Promise((resolve) => running.child.once("exit", (code) => resolve(code)));
}

let cwd: string;

beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), "todo-startup-"));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

describe("the built server", () => {
  it("starts with no environment at all on PGlite in ./data, and keeps users, keys and tasks across a restart", async () => {
    const base = "http://localhost:3000";
    const origin = { Origin: base, "Content-Type": "application/json" };
    const first = start(cwd, bareEnv());
    try {
      await waitForHealth(base, first);
      expect((await stat(join(cwd, "data", "pglite"))).isDirectory()).toBe(true);
      const secretFile = await stat(join(cwd, "data", "auth-secret"));
      expect(secretFile.mode & 0o077).toBe(0);

      const signUp = await fetch(`${base}/api/auth/sign-up/email`, {
        method: "POST",
        headers: origin,
        body: JSON.stringify({
          email: "restart@example.com",
          password: "correct-horse-battery",
          name: "R",
        }),
      });
      expect(signUp.status).toBe(200);
      const userId = ((await signUp.json()) as { user: { id: string } }).user.id;
      const session = signUp.headers.get("set-auth-token") ?? "";
      const token = await fetch(`${base}/api/auth/token`, {
        headers: { Authorization: `Bearer ${session}`, Origin: base },
      });
      const jwt = ((await token.json()) as { token: string }).token;
      const created = await fetch(`${base}/api/${userId}/tasks`, {
        method: "POST",
        headers: { Authorization: `Bearer ${jwt}`, "Content-Type": "application/json" },
        body: JSON.stringify({ title: "survive a restart" }),
      });
      expect(created.status).toBe(201);
      expect(await stop(first)).toBe(0);

      const second = start(cwd, bareEnv());
      try {
        await waitForHealth(base, second);
        // The JWT issued before the restart still verifies: keys and secret were kept.
        const listed = await fetch(`${base}/api/${userId}/tasks`, {
          headers: { Authorization: `Bearer ${jwt}` },
        });
        expect(listed.status).toBe(200);
        expect(((await listed.json()) as { title: string }[]).map((task) => task.title)).toEqual([
          "survive a restart",
        ]);
        expect((await fetch(`${base}/ready`)).status).toBe(200);
        expect((await fetch(`${base}/openapi.json`)).status).toBe(200);
      } finally {
        await stop(second);
      }
    } finally {
      await stop(first);
    }
  });

  it("refuses to start in production without BETTER_AUTH_SECRET, saying why", async () => {
    const running = start(cwd, { ...bareEnv(), NODE_ENV: "production", PORT: "0" });
    expect(await exitOf(running)).toBe(1);
    expect(running.output()).toContain("BETTER_AUTH_SECRET is required when NODE_ENV=production");
  });

  it("reads .env from the directory it starts in, with the real environment taking precedence", async () => {
    const dir = await mkdtemp(join(tmpdir(), "todo-dotenv-"));
    try {
      await writeFile(join(dir, ".env"), "NODE_ENV=production\nPORT=0\n");
      const fromFile = start(dir, bareEnv());
      expect(await exitOf(fromFile)).toBe(1);
      expect(fromFile.output()).toContain(
        "BETTER_AUTH_SECRET is required when NODE_ENV=production",
      );

      const overridden = start(dir, { ...bareEnv(), NODE_ENV: "development", PORT: "70000" });
      expect(await exitOf(overridden)).toBe(1);
      expect(overridden.output()).toContain("PORT must be a port number");
      expect(overridden.output()).not.toContain("BETTER_AUTH_SECRET");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("lists every configuration problem at once and exits 1", async () => {
    const running = start(cwd, {
      ...bareEnv(),
      PORT: "eighty",
      DATABASE_URL: "mysql://nope",
      BETTER_AUTH_SECRET: "short",
      CORS_ORIGINS: "not a url",
    });
    expect(await exitOf(running)).toBe(1);
    const output = running.output();
    for (const name of ["PORT", "DATABASE_URL", "BETTER_AUTH_SECRET", "CORS_ORIGINS"])
      expect(output).toContain(name);
    expect(output).not.toMatch(/\n\s+at /);
  });
});
