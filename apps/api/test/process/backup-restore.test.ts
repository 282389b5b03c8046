import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dbBackup, migrateDataDir, runCommand, runNode } from "../support/db-backup-process";
import { type HttpUser, signUpOverHttp } from "../support/http-user";
import { apiRoot, serverEntry, startServerProcess } from "../support/server-process";
import { sleep } from "../support/tokens";

/** BETTER_AUTH_URL of every server here: a JWT issued by one verifies on the next. */
const ORIGIN = "http://localhost:3000";
const WRITERS = 4;

// No BETTER_AUTH_SECRET: the server generates one in DATA_DIR, and the backup must carry it.
const serverEnv = (dataDir: string) => ({
  DATA_DIR: dataDir,
  NODE_ENV: "test",
  BETTER_AUTH_URL: ORIGIN,
  RATE_LIMIT_PER_MINUTE: "0",
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

let scratch: string;
const newDir = () => mkdtemp(join(scratch, "dir-"));

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "todo-backup-"));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Every task of the user, following the `Link: rel="next"` pages, and the X-Total-Count. */
async function allTasks(base: string, user: { id: string; jwt: string }) {
  const tasks: { id: number; title: string }[] = [];
  let total: number | undefined;
  let next: string | undefined = `/api/${user.id}/tasks?limit=200&sort=created&order=asc`;
  while (next) {
    const response = await fetch(`${base}${next}`, {
      headers: { Authorization: `Bearer ${user.jwt}` },
    });
    expect(response.status).toBe(200);
    total ??= Number(response.headers.get("x-total-count"));
    tasks.push(...((await response.json()) as { id: number; title: string }[]));
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
  }
  return { tasks, total };
}

async function signIn(base: string, user: HttpUser) {
  const response = await fetch(`${base}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { Origin: ORIGIN, "Content-Type": "application/json" },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  expect(response.status).toBe(200);
  const session = response.headers.get("set-auth-token") ?? "";
  const token = await fetch(`${base}/api/auth/token`, {
    headers: { Authorization: `Bearer ${session}`, Origin: ORIGIN },
  });
  expect(token.status).toBe(200);
  return ((await token.json()) as { token: string }).token;
}

describe("db:backup and db:restore on the embedded database", () => {
  it("backs up a running server while it takes writes, and the restore serves the same users, tokens and tasks", async ({
    annotate,
  }) => {
    const source = await newDir();
    const file = join(scratch, "live.tar.gz");
    const first = await startServerProcess({ env: serverEnv(source) });
    let user: HttpUser;
    const acknowledged = new Map<number, string>();
    const attempted = new Set<string>();
    let acknowledgedBeforeBackup: Map<number, string>;
    try {
      user = await signUpOverHttp(first.base, ORIGIN);
      let writing = true;
      const writer = async (writerId: number) => {
        for (let n = 0; writing; n++) {
          const title = `writer ${writerId} task ${n}`;
          attempted.add(title);
          const response = await fetch(`${first.base}/api/${user.id}/tasks`, {
            method: "POST",
            headers: { Authorization: `Bearer ${user.jwt}`, "Content-Type": "application/json" },
            body: JSON.stringify({ title }),
          });
          const body = (await response.json()) as { id?: number };
          if (response.status === 201 && typeof body.id === "number") {
            acknowledged.set(body.id, title);
          }
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, index) => writer(index));
      while (acknowledged.size < 40) await sleep(5);
      acknowledgedBeforeBackup = new Map(acknowledged);
      const backup = await dbBackup(["backup", file], { DATA_DIR: source });
      const acknowledgedDuringBackup = acknowledged.size - acknowledgedBeforeBackup.size;
      writing = false;
      await Promise.all(writers);

      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/from the running server/);
      expect((await stat(file)).mode & 0o077).toBe(0);
      await annotate(
        `${acknowledgedBeforeBackup.size} tasks acknowledged before the backup, ${acknowledgedDuringBackup} while it ran`,
      );
      // Writes went on while the backup ran: they waited for it, they did not fail.
      expect(acknowledged.size).toBeGreaterThan(acknowledgedBeforeBackup.size);
      expect(acknowledged.size).toBe(attempted.size);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const restored = await newDir();
    const restore = await dbBackup(["restore", file], { DATA_DIR: restored });
    expect(restore.stderr).toBe("");
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/: 1 users, \d+ tasks\./);

    const second = await startServerProcess({ env: serverEnv(restored) });
    try {
      // The JWT issued before the backup verifies: the signing keys came along.
      const { tasks, total } = await allTasks(second.base, user);
      const stored = new Map(tasks.map((task) => [task.id, task.title]));
      for (const [id, title] of acknowledgedBeforeBackup) expect(stored.get(id)).toBe(title);
      // Nothing half-written: every task is one a writer sent, and the trigger-kept count (written
      // in the same transaction as each task) agrees with the rows.
      for (const title of stored.values()) expect(attempted.has(title)).toBe(true);
      expect(total).toBe(tasks.length);

      // The same password signs in, and the new session gets a JWT signed with the restored key
      // (the generated secret that encrypts it came along too).
      const jwt = await signIn(second.base, user);
      expect((await allTasks(second.base, { id: user.id, jwt })).tasks).toHaveLength(tasks.length);
      expect((await fetch(`${second.base}/ready`)).status).toBe(200);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 180_000);

  it("refuses a second server, db:migrate and db:restore on a DATA_DIR in use, and takes over after kill -9", async () => {
    const dataDir = await newDir();
    const server = await startServerProcess({ env: serverEnv(dataDir) });
    let killed = false;
    try {
      const second = await runNode([serverEntry], { ...serverEnv(dataDir), PORT: "0" });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(
        `DATA_DIR ${dataDir} is in use by a running hackathon-todo server (pid ${server.child.pid})`,
      );
      const migrate = await migrateDataDir(dataDir);
      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toContain("is in use by a running hackathon-todo server");

      const file = join(scratch, "in-use.tar.gz");
      expect((await dbBackup(["backup", file], { DATA_DIR: dataDir })).code).toBe(0);
      const restore = await dbBackup(["restore", file, "--force"], { DATA_DIR: dataDir });
      expect(restore.code).toBe(1);
      expect(restore.stderr).toMatch(
        /is in use by a running hackathon-todo server .*Stop it before restoring/,
      );

      server.child.kill("SIGKILL");
      killed = true;
      expect(await server.exited()).toBeNull();
      // What a killed server leaves: a socket file nobody answers on.
      expect(await exists(join(dataDir, "owner.sock"))).toBe(true);
      const again = await startServerProcess({ env: serverEnv(dataDir) });
      expect(await again.stop()).toBe(0);
      // A clean stop leaves no socket file.
      expect(await exists(join(dataDir, "owner.sock"))).toBe(false);
    } finally {
      if (!killed) await server.stop();
    }
  }, 120_000);

  describe("with a backup of a stopped DATA_DIR", () => {
    let stopped: string;
    let file: string;

    beforeAll(async () => {
      stopped = await newDir();
      expect((await migrateDataDir(stopped)).code).toBe(0);
      file = join(scratch, "stopped.tar.gz");
      const backup = await dbBackup(["backup", file], { DATA_DIR: stopped });
      expect(backup.stdout).toMatch(/no server running/);
      expect(backup.code).toBe(0);
    }, 120_000);

    it("restores it into an empty DATA_DIR that does not exist yet", async () => {
      const target = join(await newDir(), "new", "data");
      const restore = await dbBackup(["restore", file], { DATA_DIR: target });
      expect(restore.code).toBe(0);
      expect(restore.stdout).toMatch(/: 0 users, 0 tasks\./);
      // db:migrate never made a secret, so the backup has none, and says what that means.
      expect(restore.stdout).toContain("The backup holds no auth secret");
      expect(await readdir(target)).toEqual(["pglite"]);
    }, 60_000);

    it("refuses a DATA_DIR that holds a database, and with --force moves it aside", async () => {
      const target = await newDir();
      expect((await dbBackup(["restore", file], { DATA_DIR: target })).code).toBe(0);
      const refused = await dbBackup(["restore", file], { DATA_DIR: target });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${join(target, "pglite")} already exists`);
      expect(refused.stderr).toContain("--force");

      const forced = await dbBackup(["restore", file, "--force"], { DATA_DIR: target });
      expect(forced.code).toBe(0);
      const entries = await readdir(target);
      expect(entries).toContain("pglite");
      expect(entries.filter((name) => name.startsWith("pglite.replaced-"))).toHaveLength(1);
      expect(forced.stdout).toMatch(/Moved aside: .*pglite\.replaced-/);
    }, 90_000);

    it("refuses a truncated or damaged copy of it, and leaves DATA_DIR alone", async () => {
      const dataDir = join(await newDir(), "data");
      const whole = await readFile(file);
      const truncated = join(scratch, "truncated.tar.gz");
      await writeFile(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
      const damaged = join(scratch, "damaged.tar.gz");
      const middle = Math.floor(whole.length / 2);
      const flipped = Buffer.concat([
        whole.subarray(0, middle),
        Buffer.from([(whole[middle] ?? 0) ^ 0xff]),
        whole.subarray(middle + 1),
      ]);
      await writeFile(damaged, flipped);
      for (const copy of [truncated, damaged]) {
        const run = await dbBackup(["restore", copy], { DATA_DIR: dataDir });
        expect(run.code, copy).toBe(1);
        expect(run.stderr).toMatch(/is not a hackathon-todo backup that can be restored: /);
      }
      expect(await exists(dataDir)).toBe(false);
    }, 60_000);

    it("refuses to replace an existing backup FILE unless --force", async () => {
      const refused = await dbBackup(["backup", file], { DATA_DIR: stopped });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`${file} already exists; pass --force`);
      expect((await dbBackup(["backup", file, "--force"], { DATA_DIR: stopped })).code).toBe(0);
    }, 60_000);

    it("names relative FILE paths from where npm run was started (INIT_CWD), like DATA_DIR", async () => {
      const from = await newDir();
      const run = await dbBackup(["backup", "relative.tar.gz"], {
        DATA_DIR: stopped,
        INIT_CWD: from,
      });
      expect(run.code).toBe(0);
      expect(await exists(join(from, "relative.tar.gz"))).toBe(true);
    }, 60_000);

    it("runs as npm run db:backup -- FILE and npm run db:restore -- FILE from the repository root", async () => {
      const copy = join(await newDir(), "npm.tar.gz");
      const target = await newDir();
      const npm = (args: string[], env: Record<string, string>) =>
        runCommand("npm", args, env, { cwd: join(apiRoot, "..", "..") });
      const backup = await npm(["run", "--silent", "db:backup", "--", copy, "--force"], {
        DATA_DIR: stopped,
      });
      expect(backup.stderr).toBe("");
      expect(backup.code).toBe(0);
      const restore = await npm(["run", "--silent", "db:restore", "--", copy], {
        DATA_DIR: target,
      });
      expect(restore.code).toBe(0);
      expect(await exists(join(target, "pglite", "PG_VERSION"))).toBe(true);
    }, 120_000);
  });

  describe("unhappy paths", () => {
    it("asks for FILE, and rejects unknown commands and options, with the usage (exit 2)", async () => {
      const dataDir = await newDir();
      for (const args of [["backup"], ["restore"], ["dump", "x"], ["backup", "x", "--fast"]]) {
        const run = await dbBackup(args, { DATA_DIR: dataDir });
        expect(run.code, args.join(" ")).toBe(2);
        expect(run.stderr).toContain("npm run db:backup -- FILE");
      }
      expect(await readdir(dataDir)).toEqual([]);
    }, 60_000);

    it("refuses a FILE that is missing, a directory or not a backup, and leaves DATA_DIR alone", async () => {
      const dataDir = join(await newDir(), "data");
      const junk = join(scratch, "junk.tar.gz");
      await writeFile(junk, Buffer.alloc(4096, 7));
      const cases: [string, RegExp][] = [
        [
          join(scratch, "missing.tar.gz"),
          /cannot read .*missing\.tar\.gz: no such file or directory/,
        ],
        [scratch, /cannot read .*: it is a directory/],
        [junk, /junk\.tar\.gz is not a hackathon-todo backup .*not a gzip-compressed tar archive/],
      ];
      for (const [file, message] of cases) {
        const run = await dbBackup(["restore", file], { DATA_DIR: dataDir });
        expect(run.code, file).toBe(1);
        expect(run.stderr).toMatch(message);
      }
      expect(await exists(dataDir)).toBe(false);
    }, 60_000);

    it("backs up nothing when DATA_DIR holds no database, and does not create it", async () => {
      const dataDir = join(await newDir(), "never-started");
      const run = await dbBackup(["backup", join(scratch, "none.tar.gz")], { DATA_DIR: dataDir });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("there is no embedded database in");
      expect(await exists(dataDir)).toBe(false);
    });

    it("points to pg_dump and pg_restore when DATABASE_URL is set", async () => {
      const env = { DATABASE_URL: "postgres://postgres@127.0.0.1:5432/todo" };
      const backup = await dbBackup(["backup", join(scratch, "pg.tar.gz")], env);
      expect(backup.code).toBe(1);
      expect(backup.stderr).toContain('pg_dump -Fc "$DATABASE_URL"');
      const restore = await dbBackup(["restore", join(scratch, "pg.tar.gz")], env);
      expect(restore.code).toBe(1);
      expect(restore.stderr).toContain("pg_restore");
      expect(await exists(join(scratch, "pg.tar.gz"))).toBe(false);
    });
  });
});
