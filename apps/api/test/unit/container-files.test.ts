import { execFileSync, spawnSync } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeService, interpolate, loadCompose } from "../support/compose-file";
import { loadDockerignore, repoRoot } from "../support/docker-context";

// docker-compose.yml, deploy/Caddyfile and .dockerignore, read as Compose and Docker read them.
// The Dockerfile itself is replayed and run by test/process/docker-image.test.ts.

const variables = { POSTGRES_PASSWORD: "compose-test-password" };

describe("docker-compose.yml", () => {
  it("runs PostgreSQL 16 on a named volume, with a health check over TCP", async () => {
    const compose = await loadCompose(variables);
    const db = composeService(compose, "db");
    expect(db.image).toMatch(/^postgres:16[.-]/);
    expect(db.environment?.POSTGRES_PASSWORD).toBe("compose-test-password");
    const [volume, mountPoint] = (db.volumes?.[0] ?? "").split(":");
    expect(mountPoint).toBe("/var/lib/postgresql/data");
    expect(compose.volumes).toHaveProperty(volume ?? "");
    expect(db.healthcheck?.test.slice(0, 3)).toEqual(["CMD", "pg_isready", "--host=127.0.0.1"]);
  });

  it("starts the app once the database is healthy, with its secret from the git-ignored .env", async () => {
    const app = composeService(await loadCompose(variables), "app");
    expect(app.build).toBe(".");
    expect(app.depends_on?.db?.condition).toBe("service_healthy");
    expect(app.env_file).toBe(".env");
    // Exit code 0: git ignores the file that holds the secret.
    execFileSync("git", ["check-ignore", "--quiet", ".env"], { cwd: repoRoot });
    expect(app.environment).not.toHaveProperty("BETTER_AUTH_SECRET");
    expect(app.environment?.DATABASE_URL).toBe(
      "postgres://todo:compose-test-password@db:5432/todo",
    );
    expect(app.environment?.BETTER_AUTH_URL).toBe("http://localhost:3000");
    expect(app.ports).toEqual([`127.0.0.1:3000:${app.environment?.PORT}`]);
    expect(app.environment?.NODE_ENV).toBe("production");
    expect(app.init).toBe(true);
  });

  it("takes BETTER_AUTH_URL from .env when it is set there", async () => {
    const app = composeService(
      await loadCompose({ ...variables, BETTER_AUTH_URL: "https://todo.example.com" }),
      "app",
    );
    expect(app.environment?.BETTER_AUTH_URL).toBe("https://todo.example.com");
  });

  it("refuses to start without POSTGRES_PASSWORD, saying where to set it", async () => {
    await expect(loadCompose({})).rejects.toThrow(/POSTGRES_PASSWORD.*\.env/);
    const example = await readFile(join(repoRoot, ".env.example"), "utf8");
    expect(example).toMatch(/^# POSTGRES_PASSWORD=/m);
    expect(example).toMatch(/^# BETTER_AUTH_SECRET=/m);
  });

  it("has a scale profile: two replicas behind Caddy, trusting one proxy hop", async () => {
    const compose = await loadCompose(variables);
    const replica = composeService(compose, "replica");
    const proxy = composeService(compose, "proxy");
    expect(replica.profiles).toContain("scale");
    expect(proxy.profiles).toContain("scale");
    expect(replica.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(replica.ports).toBeUndefined();
    expect(replica.environment?.TRUST_PROXY).toBe("1");
    expect(replica.env_file).toBe(".env");
    expect(replica.depends_on?.db?.condition).toBe("service_healthy");
    expect(proxy.depends_on?.replica?.condition).toBe("service_healthy");
    // Retries of writes after a refused connection work from Caddy 2.11.2 (caddyserver/caddy#7546).
    const [major, minor, patch] = (
      /^caddy:(\d+)\.(\d+)\.(\d+)-alpine$/.exec(proxy.image ?? "") ?? []
    )
      .slice(1)
      .map(Number);
    expect(major).toBe(2);
    expect((minor ?? 0) * 1000 + (patch ?? 0)).toBeGreaterThanOrEqual(11_002);

    const [configFile, mountedAt] = (proxy.volumes?.[0] ?? "").split(":");
    expect(mountedAt).toBe("/etc/caddy/Caddyfile");
    const caddyfile = await readFile(join(repoRoot, configFile ?? ""), "utf8");
    expect(caddyfile).toContain(`dynamic a replica ${replica.environment?.PORT}`);
    // Caddy must not trust a client's X-Forwarded-For, or TRUST_PROXY=1 would pick a forged entry.
    expect(caddyfile).not.toMatch(/^\s*trusted_proxies/m);
    const published = proxy.ports?.[0]?.split(":") ?? [];
    expect(replica.environment?.BETTER_AUTH_URL).toBe(`http://localhost:${published[1]}`);
  });

  it("passes `docker compose config` where Compose is installed", async (context) => {
    const version = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
    if (version.status !== 0) {
      const why = version.error?.message ?? (version.stderr || version.stdout).trim();
      console.warn(`[container-files] skipping docker compose config: ${why.split("\n")[0]}`);
      context.skip();
    }
    const dir = await mkdtemp(join(tmpdir(), "todo-compose-"));
    try {
      for (const path of ["docker-compose.yml", "deploy", "Dockerfile", ".dockerignore"]) {
        await cp(join(repoRoot, path), join(dir, path), { recursive: true });
      }
      await writeFile(
        join(dir, ".env"),
        `BETTER_AUTH_SECRET=${"s".repeat(32)}\nPOSTGRES_PASSWORD=${variables.POSTGRES_PASSWORD}\n`,
      );
      const config = spawnSync("docker", ["compose", "--profile", "scale", "config", "--quiet"], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(config.status, config.stderr).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("compose interpolation (as the tests read docker-compose.yml)", () => {
  it("replaces defaults, required values and escaped dollars as Compose does", () => {
    expect(interpolate(`\${A:-x}/\${B-y}/$$C/$D`, { A: "", B: "", D: "d" })).toBe("x//$C/d");
    expect(() => interpolate(`\${A:?set A}`, { A: "" })).toThrow("set A");
    expect(interpolate(`\${A?set A}`, { A: "" })).toBe("");
  });
});

describe(".dockerignore", () => {
  it("keeps dependencies, builds, local data, reports and secrets out of the build context", async () => {
    const { matcher } = await loadDockerignore();
    for (const path of [
      "node_modules",
      "apps/api/node_modules",
      "apps/web/dist",
      "apps/api/dist",
      "data",
      "apps/api/data",
      "artifacts",
      ".env",
      ".env.production",
      "apps/api/.env",
      ".git",
    ]) {
      expect({ path, ignored: matcher.ignores(path) }).toEqual({ path, ignored: true });
    }
    for (const path of [
      "package.json",
      "package-lock.json",
      "apps/api/package.json",
      "apps/api/src/index.ts",
      "apps/api/drizzle/meta/_journal.json",
      "apps/web/package.json",
      "apps/web/index.html",
      "apps/web/src/main.tsx",
      "scripts/start.mjs",
    ]) {
      expect({ path, ignored: matcher.ignores(path) }).toEqual({ path, ignored: false });
    }
  });
});
