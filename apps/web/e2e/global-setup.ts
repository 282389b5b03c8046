import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "vite";
import type { TestProject } from "vitest/node";
import { CHROMIUM_PATH, repoRoot, webRoot } from "./paths";

declare module "vitest" {
  export interface ProvidedContext {
    baseUrl: string;
    skipReason: string;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url: string, server: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null)
      throw new Error(`API server exited with ${server.exitCode}:\n${log()}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`API server did not answer /health within 60 s:\n${log()}`);
}

/** Fails the run if the bundle is React's development build (`jsxDEV` calls). */
export function assertProductionBundle(dir: string): void {
  const assets = join(dir, "assets");
  for (const name of readdirSync(assets).filter((file) => file.endsWith(".js"))) {
    if (readFileSync(join(assets, name), "utf8").includes("jsxDEV")) {
      throw new Error(`${name} is a development build (contains jsxDEV)`);
    }
  }
}

export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM_PATH)) {
    const reason = `${CHROMIUM_PATH} not found (install it with: apt-get install -y chromium)`;
    if (process.env.CI === "true") throw new Error(`Browser tests cannot run in CI: ${reason}`);
    console.warn(`\n[e2e] SKIPPING browser tests: ${reason}\n`);
    project.provide("baseUrl", "");
    project.provide("skipReason", reason);
    return;
  }

  // A production bundle, like `npm start` serves, built into a temporary directory: the tests
  // never write apps/web/dist (which `npm start` would then serve). Vitest sets NODE_ENV=test,
  // which would make React's JSX transform emit its development build.
  // E2E_WEB_DIST serves a build made elsewhere instead (the benchmark compares builds with it).
  const prebuilt = process.env.E2E_WEB_DIST;
  const webDist = prebuilt ?? mkdtempSync(join(tmpdir(), "todo-e2e-web-"));
  if (!prebuilt) {
    const nodeEnv = process.env.NODE_ENV;
    process.env.NODE_ENV = "production";
    try {
      await build({
        root: webRoot,
        mode: "production",
        logLevel: "warn",
        build: { outDir: webDist, emptyOutDir: true },
      });
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  }
  assertProductionBundle(webDist);
  const removeWebDist = () => {
    if (!prebuilt) rmSync(webDist, { recursive: true, force: true });
  };

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "todo-e2e-"));
  let output = "";
  const server = spawn(process.execPath, ["--import", "tsx", "apps/api/src/index.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: "test",
      PORT: String(port),
      DATA_DIR: dataDir,
      WEB_DIST_DIR: webDist,
      BETTER_AUTH_URL: baseUrl,
      RATE_LIMIT_PER_MINUTE: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  server.stdout?.on("data", keep);
  server.stderr?.on("data", keep);

  try {
    await waitForHealth(baseUrl, server, () => output);
  } catch (error) {
    server.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
    removeWebDist();
    throw error;
  }
  project.provide("baseUrl", baseUrl);
  project.provide("skipReason", "");

  return async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
    removeWebDist();
  };
}
