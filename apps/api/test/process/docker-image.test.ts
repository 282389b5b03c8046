import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeService, loadCompose } from "../support/compose-file";
import { copyBuildContext, repoRoot } from "../support/docker-context";
import { type ReplayedImage, replayDockerfile } from "../support/dockerfile-replay";
import { signUpOverHttp } from "../support/http-user";
import { postgresTestUrl } from "../support/postgres-url";
import { bareEnv, createScratchDatabase, postgresUnavailable } from "../support/server-process";

// The image cannot be built here (no Docker daemon, no registry), so this test does what its
// build does: it copies the context through .dockerignore, replays the Dockerfile's own COPY and
// RUN steps (npm ci, npm run build, the production-only install) in a temporary directory, then
// starts the last stage's CMD with its ENV and the compose file's variables, and checks the
// server, the HEALTHCHECK command and STOPSIGNAL. What differs from a real image: the base image's
// files (this machine's Node and npm stand in for node:20-bookworm-slim's), the user (the server
// runs as this test's user) and the one RUN below, which sets up /data's owner.
const NOT_REPLAYED = ["mkdir -p /data && chown node:node /data"];

/** How long `docker stop` and Compose wait after the stop signal before SIGKILL, by default. */
const DOCKER_STOP_GRACE_MS = 10_000;
/** Stands for the BETTER_AUTH_SECRET a user puts in .env. */
const SECRET = "a-secret-for-the-image-test-only-0123456789";
const DEV_ONLY_PACKAGES = ["typescript", "vitest", "vite", "esbuild", "drizzle-kit", "tsx"];

let workspace: string;
let contextFiles: string[];
let image: ReplayedImage;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), "todo-image-"));
  contextFiles = await copyBuildContext(repoRoot, join(workspace, "context"));
  image = await replayDockerfile({
    dockerfile: await readFile(join(repoRoot, "Dockerfile"), "utf8"),
    context: join(workspace, "context"),
    workspace,
    // npm's cache on this machine: the packages were downloaded by the repository's own npm ci.
    runEnv: {
      ...bareEnv(),
      npm_config_prefer_offline: "true",
      npm_config_update_notifier: "false",
    },
    notReplayed: NOT_REPLAYED,
    // Progress of a step that takes a minute or more, for whoever watches CI.
    log: (line) => process.stdout.write(`[docker-image] ${line}\n`),
  });
}, 15 * 60_000);

afterAll(async () => {
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

interface Container {
  base: string;
  child: ChildProcess;
  output(): string;
  exit: Promise<number | null>;
}

/** What `docker run` starts: the CMD in the WORKDIR with the given environment. */
async function runCommand(env: Record<string, string>): Promise<Container> {
  const [command, ...args] = image.cmd;
  const child = spawn(command ?? "", args, {
    cwd: image.workdir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const base = `http://127.0.0.1:${env.PORT}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited (${child.exitCode}):\n${output}`);
    const health = await fetch(`${base}/health`).catch(() => undefined);
    if (health?.ok) return { base, child, output: () => output, exit };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`no /health within 60 s:\n${output}`);
}

/** Runs the image's HEALTHCHECK command the way Docker does, in the container's environment. */
function healthcheck(env: Record<string, string>) {
  const [command, ...args] = image.healthcheck.cmd;
  const timeoutMs = Number.parseInt(image.healthcheck.flags.timeout ?? "30", 10) * 1000;
  return spawnSync(command ?? "", args, { cwd: image.workdir, env, timeout: timeoutMs });
}

/** Sends the image's STOPSIGNAL, as `docker stop` does, and times the exit. */
async function stop(container: Container) {
  const started = Date.now();
  container.child.kill(image.stopSignal);
  const code = await container.exit;
  return { code, ms: Date.now() - started };
}

/** Sign-up, then a task created, read back, listed and deleted over HTTP. */
async function taskRoundTrip(base: string, origin: string) {
  const user = await signUpOverHttp(base, origin);
  const auth = { Authorization: `Bearer ${user.jwt}` };
  const created = await fetch(`${base}/api/${user.id}/tasks`, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify({ title: "shipped in a container", tags: ["docker"] }),
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: number };
  const read = await fetch(`${base}/api/${user.id}/tasks/${id}`, { headers: auth });
  expect(read.status).toBe(200);
  expect(await read.json()).toMatchObject({
    id,
    title: "shipped in a container",
    tags: ["docker"],
  });
  const listed = await fetch(`${base}/api/${user.id}/tasks`, { headers: auth });
  expect(((await listed.json()) as { id: number }[]).map((task) => task.id)).toEqual([id]);
  const deleted = await fetch(`${base}/api/${user.id}/tasks/${id}`, {
    method: "DELETE",
    headers: auth,
  });
  expect(deleted.status).toBe(204);
}

describe("the Docker image, built by replaying the Dockerfile outside Docker", () => {
  it("keeps secrets and local state out of the context, and only the builds and production dependencies in the image", () => {
    expect(contextFiles).toContain("package-lock.json");
    expect(contextFiles.filter((path) => /(^|\/)(node_modules|dist|data)\//.test(path))).toEqual(
      [],
    );
    expect(contextFiles.filter((path) => /(^|\/)\.env/.test(path))).toEqual([]);

    const app = (path: string) => existsSync(join(image.workdir, path));
    expect(app("apps/api/dist/index.js")).toBe(true);
    expect(app("apps/api/drizzle/meta/_journal.json")).toBe(true);
    expect(app("apps/web/dist/index.html")).toBe(true);
    expect(app("apps/api/src")).toBe(false);
    expect(app("apps/web/src")).toBe(false);
    for (const name of ["hono", "pg", "@electric-sql/pglite", "better-auth", "drizzle-orm"]) {
      expect({ name, installed: app(`node_modules/${name}`) }).toEqual({ name, installed: true });
    }
    for (const name of DEV_ONLY_PACKAGES) {
      expect({ name, installed: app(`node_modules/${name}`) }).toEqual({ name, installed: false });
    }
    expect(image.skipped).toEqual(NOT_REPLAYED);
  });

  it("is built from a pinned Node 20 slim image and runs as a non-root user in production mode", async () => {
    for (const base of Object.values(image.bases)) {
      expect(base).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    }
    expect(image.user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    expect(image.env.NODE_ENV).toBe("production");
    expect(image.exposedPorts).toEqual([image.env.PORT]);
    const app = composeService(await loadCompose({ POSTGRES_PASSWORD: "unused" }), "app");
    expect(app.environment?.PORT).toBe(image.env.PORT);
    expect(image.volumes).toEqual(["/data"]);
    expect(image.env.DATA_DIR).toBe(join(image.root, "data"));
    expect(image.stopSignal).toBe("SIGTERM");
    expect(image.healthcheck.cmd.join(" ")).toContain("/health");
  });

  const unavailable = postgresUnavailable();
  if (unavailable) console.warn(`[docker-image] skipping the PostgreSQL run: ${unavailable}`);

  it.skipIf(unavailable !== "")(
    "serves with the compose file's variables on PostgreSQL, reports healthy, and exits 0 on SIGTERM within docker stop's grace",
    async () => {
      const compose = await loadCompose({ POSTGRES_PASSWORD: "unused" });
      const composeApp = composeService(compose, "app");
      const database = await createScratchDatabase();
      // Compose's variables, but the database is the scratch one (not the `db` service) and the
      // port a free one; the secret stands for the one .env would hold.
      const env: Record<string, string> = {
        ...bareEnv(),
        ...image.env,
        ...composeApp.environment,
        BETTER_AUTH_SECRET: SECRET,
        DATABASE_URL: database.url,
        PORT: String(await freePort()),
      };
      const container = await runCommand(env);
      try {
        expect(env.NODE_ENV).toBe("production");
        expect((await fetch(`${container.base}/ready`)).status).toBe(200);
        const page = await fetch(`${container.base}/`);
        expect(page.headers.get("content-type")).toMatch(/^text\/html/);
        await taskRoundTrip(container.base, env.BETTER_AUTH_URL ?? "");
        expect(healthcheck(env).status).toBe(0);

        const stopped = await stop(container);
        expect(stopped.code).toBe(0);
        expect(stopped.ms).toBeLessThan(DOCKER_STOP_GRACE_MS);
        expect(healthcheck(env).status).toBe(1);
      } finally {
        container.child.kill("SIGKILL");
        await database.drop();
      }
      expect(container.output()).toContain('"database":"postgres"');

      // The db service's health check, against the PostgreSQL the tests use.
      const [, command, ...args] = composeService(compose, "db").healthcheck?.test ?? [];
      const port = new URL(postgresTestUrl()).port || "5432";
      const ready = spawnSync(command ?? "", [...args, `--port=${port}`], { encoding: "utf8" });
      expect(ready.stdout).toContain("accepting connections");
    },
    120_000,
  );

  it("serves on the embedded database in its data volume when DATABASE_URL is unset", async () => {
    // `docker run -e BETTER_AUTH_SECRET=… -p 3000:3000 -v todo-data:/data hackathon-todo`
    const port = String(await freePort());
    const env = { ...bareEnv(), ...image.env, BETTER_AUTH_SECRET: SECRET, PORT: port };
    const container = await runCommand(env);
    try {
      await taskRoundTrip(container.base, `http://localhost:${port}`);
      expect(existsSync(join(image.root, "data", "pglite"))).toBe(true);
      const stopped = await stop(container);
      expect(stopped.code).toBe(0);
      expect(stopped.ms).toBeLessThan(DOCKER_STOP_GRACE_MS);
    } finally {
      container.child.kill("SIGKILL");
    }
  }, 120_000);
});
