import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLAIM_LEASE_SECONDS } from "../../src/idempotency/idempotency-records";
import { type HttpUser, signUpOverHttp } from "../support/http-user";
import {
  createScratchDatabase,
  PROCESS_SECRET,
  postgresUnavailable,
  processEngines,
  type ServerProcess,
  startServerProcess,
} from "../support/server-process";
import { sleep } from "../support/tokens";

// Idempotency-Key (decision 037) where only real processes show it: over HTTP with compression
// accepted (the headers of a replay), across two replicas on one Postgres, and a process killed
// while it held a key.

const PUBLIC_URL = "http://localhost:3000";
const WEB_ORIGIN = "http://app.example";
const GZIP = { "Accept-Encoding": "gzip, deflate, br" };

function create(
  server: ServerProcess,
  user: HttpUser,
  key: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fetch(`${server.base}/api/${user.id}/tasks`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${user.jwt}`,
      "Content-Type": "application/json",
      "Idempotency-Key": key,
      ...GZIP,
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

/** How many of the user's tasks have this title, as the API lists them. */
async function countTitled(server: ServerProcess, user: HttpUser, title: string) {
  const list = await fetch(`${server.base}/api/${user.id}/tasks?limit=100`, {
    headers: { Authorization: `Bearer ${user.jwt}`, ...GZIP },
  });
  const tasks = (await list.json()) as { title: string }[];
  return tasks.filter((task) => task.title === title).length;
}

const REPLAYED_HEADERS = ["etag", "location", "content-type", "content-encoding"];

describe.each(processEngines())("Idempotency-Key over real HTTP on $name", (engine) => {
  if (engine.skip) console.warn(`[idempotency] SKIPPING ${engine.name}: ${engine.skip}`);
  let server: ServerProcess;
  let cleanUp: () => Promise<void>;
  let user: HttpUser;

  beforeAll(async () => {
    if (engine.skip) return;
    const opened = await engine.open();
    cleanUp = opened.cleanUp;
    server = await startServerProcess({
      env: {
        ...opened.env,
        BETTER_AUTH_SECRET: PROCESS_SECRET,
        BETTER_AUTH_URL: PUBLIC_URL,
        CORS_ORIGINS: WEB_ORIGIN,
        RATE_LIMIT_PER_MINUTE: "0",
      },
    });
    user = await signUpOverHttp(server.base, PUBLIC_URL);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await cleanUp?.();
  });

  it.skipIf(engine.skip)(
    "a retry gets the first answer's status, body and headers, marked as replayed",
    async () => {
      const key = randomUUID();
      const title = `Over the wire ${key}`;
      const first = await create(server, user, key, { title });
      const retry = await create(server, user, key, { title });

      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      for (const header of REPLAYED_HEADERS) {
        expect(retry.headers.get(header), header).toBe(first.headers.get(header));
      }
      // A strong ETag, usable in If-Match, on the replay too (decision 021).
      expect(retry.headers.get("etag")).toMatch(/^"\d+-1"$/);
      expect(await retry.json()).toEqual(await first.json());
      expect(await countTitled(server, user, title)).toBe(1);
    },
  );

  it.skipIf(engine.skip)(
    "an answer (complete-all) is replayed encoded as it first went out, from the stored plain body",
    async () => {
      const key = randomUUID();
      const completeAll = () =>
        fetch(`${server.base}/api/${user.id}/tasks/complete-all`, {
          method: "POST",
          headers: { Authorization: `Bearer ${user.jwt}`, "Idempotency-Key": key, ...GZIP },
        });
      const first = await completeAll();
      const retry = await completeAll();
      expect(first.status).toBe(200);
      // The replay is built from the stored plain body and goes through compression again: the
      // same encoding as the first answer. Under 1 KiB, as complete-all's answer is, that is
      // none, though the client takes gzip (decision 051).
      expect(retry.headers.get("content-encoding")).toBe(first.headers.get("content-encoding"));
      expect(first.headers.get("content-encoding")).toBeNull();
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(retry.headers.get("content-type")).toBe(first.headers.get("content-type"));
      expect(await retry.json()).toEqual(await first.json());
    },
  );

  it.skipIf(engine.skip)(
    "a browser on another origin may send the key and read Idempotent-Replayed",
    async () => {
      const preflight = await fetch(`${server.base}/api/${user.id}/tasks`, {
        method: "OPTIONS",
        headers: {
          Origin: WEB_ORIGIN,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
        "idempotency-key",
      );
      const answer = await create(
        server,
        user,
        randomUUID(),
        { title: "CORS" },
        {
          Origin: WEB_ORIGIN,
        },
      );
      expect(answer.status).toBe(201);
      expect(answer.headers.get("access-control-expose-headers")?.toLowerCase()).toContain(
        "idempotent-replayed",
      );
    },
  );
});

const unavailable = postgresUnavailable();
if (unavailable)
  console.warn(`[idempotency] SKIPPING the replica tests: no Postgres (${unavailable})`);

describe.skipIf(unavailable)("Idempotency-Key on two processes sharing one Postgres", () => {
  let database: Awaited<ReturnType<typeof createScratchDatabase>>;
  let one: ServerProcess;
  let two: ServerProcess;
  let user: HttpUser;
  const env = () => ({
    DATABASE_URL: database.url,
    BETTER_AUTH_SECRET: PROCESS_SECRET,
    BETTER_AUTH_URL: PUBLIC_URL,
    RATE_LIMIT_PER_MINUTE: "0",
  });

  beforeAll(async () => {
    database = await createScratchDatabase();
    one = await startServerProcess({ env: env() });
    two = await startServerProcess({ env: env() });
    user = await signUpOverHttp(one.base, PUBLIC_URL);
  }, 90_000);
  afterAll(async () => {
    await Promise.all([one?.stop(), two?.stop()]);
    await database?.drop();
  });

  async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []) {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  it("a retry through the other process replays the first answer", async () => {
    const key = randomUUID();
    const title = `Replica ${key}`;
    const first = await create(one, user, key, { title });
    const retry = await create(two, user, key, { title });
    expect(first.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    for (const header of REPLAYED_HEADERS) {
      expect(retry.headers.get(header), header).toBe(first.headers.get(header));
    }
    expect(await retry.json()).toEqual(await first.json());
    const otherBody = await create(two, user, key, { title: `${title} again` });
    expect(otherBody.status).toBe(422);
    expect(await countTitled(one, user, title)).toBe(1);
  });

  it("duplicates sent at once through both processes make exactly one task", async ({
    annotate,
  }) => {
    const seen: number[] = [];
    for (let round = 0; round < 5; round++) {
      const key = randomUUID();
      const title = `Together ${key}`;
      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) => create(i % 2 ? one : two, user, key, { title })),
      );
      const statuses = answers.map((answer) => answer.status);
      seen.push(...statuses);
      expect(
        statuses.every((s) => s === 201 || s === 409),
        statuses.join(),
      ).toBe(true);
      const firsts = answers.filter(
        (answer) => answer.status === 201 && answer.headers.get("idempotent-replayed") === null,
      );
      expect(firsts, statuses.join()).toHaveLength(1);
      for (const busy of answers.filter((answer) => answer.status === 409)) {
        expect(busy.headers.get("retry-after")).toBe("1");
      }
      expect(await countTitled(two, user, title)).toBe(1);
    }
    await annotate(`${seen.filter((s) => s === 409).length} of ${seen.length} answered 409`);
  });

  it("a key held by a killed process frees itself when its lease lapses, and the retry runs once", async () => {
    const victim = await startServerProcess({ env: env() });
    const key = randomUUID();
    const title = `Orphaned ${key}`;
    // The user's change-log row exists once they have a task; holding its lock stops the next
    // create inside its transaction, after its key was claimed: the moment to kill the process.
    const locker = new pg.Client({ connectionString: database.url });
    await locker.connect();
    try {
      await create(one, user, randomUUID(), { title: "Warm-up" });
      await locker.query("begin");
      await locker.query("select seq from user_sync where user_id = $1 for update", [user.id]);
      const lost = create(victim, user, key, { title }).catch((error: unknown) => error);
      const deadline = Date.now() + 1_500;
      let waiting = 0;
      while (waiting === 0 && Date.now() < deadline) {
        await sleep(20);
        [{ waiting = 0 } = {}] = await query<{ waiting: number }>(
          `select count(*)::int as waiting from pg_stat_activity
           where datname = current_database() and wait_event_type = 'Lock'`,
        );
      }
      expect(waiting, "the create never blocked on the lock").toBeGreaterThan(0);
      await victim.stop("SIGKILL");
      expect(await lost).toBeInstanceOf(Error);
    } finally {
      await locker.query("rollback").catch(() => {});
      await locker.end();
      await victim.stop("SIGKILL");
    }

    const [claim] = await query<{ status: number | null; left_ms: number }>(
      `select status, extract(epoch from locked_until - now()) * 1000 as left_ms
       from idempotency_keys where user_id = $1 and key = $2`,
      [user.id, key],
    );
    expect(claim?.status).toBeNull();
    expect(Number(claim?.left_ms)).toBeGreaterThan(0);

    const answers: number[] = [];
    const started = Date.now();
    let retry = await create(two, user, key, { title });
    while (retry.status === 409 && Date.now() - started < (CLAIM_LEASE_SECONDS + 5) * 1000) {
      answers.push(retry.status);
      await sleep(250);
      retry = await create(two, user, key, { title });
    }
    expect(answers.length, "retries answered 409 while the lease held").toBeGreaterThan(0);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    // Not before the lease lapsed (less what passed between reading it and the first retry).
    expect(Date.now() - started).toBeGreaterThanOrEqual(Number(claim?.left_ms) - 500);
    expect(await countTitled(one, user, title)).toBe(1);
    const again = await create(one, user, key, { title });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
  }, 60_000);
});
