import { sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeExpiredTrash, purgeTrashRegularly } from "../../src/tasks/trash-purge";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// The automatic purge of the trash (decision 039): the server deletes for good what has been in the
// trash longer than TRASH_RETENTION_DAYS, in small batches of one user each, with one purge event
// per task. The clock is moved, not waited for.

const DAY_MS = 24 * 60 * 60 * 1000;

let server: TestServer;
beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

async function rows<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await server.database.db.execute(query)) as unknown as { rows: T[] }).rows;
}

/** A task of `who`, moved to the trash `daysAgo` days ago (or left live for undefined). */
async function taskIn(who: TestUser, daysAgo: number | undefined) {
  const task = await server.createTask(who);
  if (daysAgo !== undefined) {
    const res = await server.call("DELETE", `/api/${who.id}/tasks/${task.id}`, { token: who.jwt });
    expect(res.status).toBe(204);
    await server.database.db.execute(
      sql`update tasks set deleted_at = now() - make_interval(days => ${daysAgo}) where id = ${task.id}`,
    );
  }
  return task.id as number;
}

const remaining = async (ids: number[]) =>
  (
    await rows<{ id: number }>(
      sql`select id from tasks where id in ${sql`(${sql.join(ids, sql`, `)})`} order by id`,
    )
  ).map((r) => r.id);

const purgeEvents = async (who: TestUser) =>
  (
    await rows<{ task_id: number }>(
      sql`select task_id from task_events where user_id = ${who.id} and op = 'purge' order by task_id`,
    )
  ).map((r) => r.task_id);

const silent = pino({ level: "silent" });

describe("the automatic purge", () => {
  it("deletes what went to the trash before the cutoff, for every user, batch by batch, one event each", async () => {
    const [ann, ben] = [await server.signUp(), await server.signUp()];
    const live = [await taskIn(ann, undefined), await taskIn(ben, undefined)];
    const recent = [await taskIn(ann, 29), await taskIn(ben, 1)];
    const old = [
      ...(await Promise.all([31, 40, 365].map((d) => taskIn(ann, d)))),
      ...(await Promise.all([31, 90].map((d) => taskIn(ben, d)))),
    ];
    const cutoff = new Date(Date.now() - 30 * DAY_MS);
    // Each batch's owner is told (after the batch's transaction: purgeExpiredTrash).
    const heard: string[] = [];
    const purged = (owner: string) => heard.push(owner);
    // Batches of 2: at least 3 statements, never more than one user's tasks in one.
    expect(await purgeExpiredTrash(server.database.db, cutoff, { batch: 2, purged })).toBe(5);
    expect(heard.filter((owner) => owner === ann.id)).toHaveLength(2);
    expect(heard.filter((owner) => owner === ben.id)).toHaveLength(1);
    expect(heard).toHaveLength(3);
    expect(await remaining([...live, ...recent, ...old])).toEqual(
      [...live, ...recent].sort((a, b) => a - b),
    );
    expect(await purgeEvents(ann)).toEqual(old.slice(0, 3).sort((a, b) => a - b));
    expect(await purgeEvents(ben)).toEqual(old.slice(3).sort((a, b) => a - b));
    expect(await purgeExpiredTrash(server.database.db, cutoff)).toBe(0);
  });

  it("runs at start and on its timer with TRASH_RETENTION_DAYS against the clock, until stopped", async () => {
    const who = await server.signUp();
    const trashed = await taskIn(who, 0);
    const live = await taskIn(who, undefined);
    let clock = Date.now();
    const heard: string[] = [];
    const stop = purgeTrashRegularly(server.database.db, {
      retentionDays: 30,
      logger: silent,
      purged: (owner) => heard.push(owner),
      intervalMs: 50,
      now: () => clock,
    });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await remaining([trashed, live])).toEqual([trashed, live]);
      clock += 30 * DAY_MS + 60_000;
      await expect.poll(() => remaining([trashed, live]), { timeout: 5_000 }).toEqual([live]);
      expect(await purgeEvents(who)).toEqual([trashed]);
      await expect.poll(() => heard, { timeout: 5_000 }).toContain(who.id);
    } finally {
      stop();
    }
    // Stopped: nothing more is purged.
    const later = await taskIn(who, 400);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await remaining([later])).toEqual([later]);
  });

  it("purges at start without waiting for the first interval", async () => {
    const who = await server.signUp();
    const old = await taskIn(who, 31);
    const stop = purgeTrashRegularly(server.database.db, {
      retentionDays: 30,
      logger: silent,
      intervalMs: 60 * 60 * 1000,
    });
    try {
      await expect.poll(() => remaining([old]), { timeout: 5_000 }).toEqual([]);
    } finally {
      stop();
    }
  });
});
