import { describe, expect, it } from "vitest";
import { reportAttackFigures } from "../support/attack-report";
import { signUpOverHttp } from "../support/http-user";
import { PROCESS_SECRET, processEngines, startServerProcess } from "../support/server-process";
import { sleep } from "../support/tokens";

/** BETTER_AUTH_URL of both runs: the JWT issued by the first still verifies on the second. */
const ORIGIN = "http://localhost:3000";
const WRITERS = 16;
/** SIGKILL once this many creates were acknowledged, with the writers still going. */
const KILL_AFTER_ACKNOWLEDGED = 150;

const engines = processEngines();

/** Every task of the user, following the `Link: rel="next"` pages. */
async function allTasks(base: string, userId: string, jwt: string) {
  const tasks: { id: number; title: string }[] = [];
  let next: string | undefined = `/api/${userId}/tasks?limit=200&sort=created&order=asc`;
  while (next) {
    const response = await fetch(`${base}${next}`, { headers: { Authorization: `Bearer ${jwt}` } });
    expect(response.status).toBe(200);
    tasks.push(...((await response.json()) as { id: number; title: string }[]));
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
  }
  return tasks;
}

for (const engine of engines) {
  if (engine.skip)
    console.warn(`[process] skipping kill -9 tests on ${engine.name}: ${engine.skip}`);

  describe.skipIf(engine.skip)(`kill -9 during writes (${engine.name})`, () => {
    it("keeps every acknowledged write, and the database opens again", async ({ annotate }) => {
      const database = await engine.open();
      const env = {
        ...database.env,
        NODE_ENV: "test",
        BETTER_AUTH_SECRET: PROCESS_SECRET,
        BETTER_AUTH_URL: ORIGIN,
        RATE_LIMIT_PER_MINUTE: "0",
      };
      try {
        const first = await startServerProcess({ env });
        const user = await signUpOverHttp(first.base, ORIGIN);
        const acknowledged = new Map<number, string>();
        let unanswered = 0;
        // Each writer goes on until a request of its own goes unanswered: the kill, not a flag
        // set after it, ends the stream (a flag let writers stop cleanly when the server had
        // answered everything in flight before it died).
        const stopAt = Date.now() + 40_000;
        const writer = async (writerId: number) => {
          for (let n = 0; Date.now() < stopAt; n++) {
            const title = `writer ${writerId} task ${n}`;
            try {
              const response = await fetch(`${first.base}/api/${user.id}/tasks`, {
                method: "POST",
                headers: {
                  Authorization: `Bearer ${user.jwt}`,
                  "Content-Type": "application/json",
                },
                body: JSON.stringify({ title }),
              });
              const body = (await response.json()) as { id?: number; title?: string };
              // Acknowledged: a 201 with an id. Anything else promised nothing.
              if (response.status === 201 && typeof body.id === "number") {
                acknowledged.set(body.id, title);
              }
            } catch {
              unanswered++;
              return;
            }
          }
        };
        const writers = Array.from({ length: WRITERS }, (_, index) => writer(index));
        const deadline = Date.now() + 20_000;
        while (acknowledged.size < KILL_AFTER_ACKNOWLEDGED && Date.now() < deadline) await sleep(5);
        first.child.kill("SIGKILL");
        expect(await first.exited()).toBeNull();
        await Promise.all(writers);

        const second = await startServerProcess({ env });
        try {
          const stored = new Map(
            (await allTasks(second.base, user.id, user.jwt)).map((task) => [task.id, task.title]),
          );
          const lost = [...acknowledged].filter(([id, title]) => stored.get(id) !== title);
          await annotate(
            `${acknowledged.size} acknowledged, ${lost.length} lost; ${stored.size} stored (${stored.size - acknowledged.size + lost.length} of the ${unanswered} requests cut by the kill had committed)`,
          );
          reportAttackFigures("kill-9", engine.name, {
            acknowledged: acknowledged.size,
            lost: lost.length,
            cutByTheKillButCommitted: stored.size - acknowledged.size + lost.length,
          });
          expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
          expect(lost).toEqual([]);
          // The kill came mid-stream: every writer was still writing, and lost its last request.
          expect(unanswered).toBe(WRITERS);
        } finally {
          await second.stop();
        }
      } finally {
        await database.cleanUp();
      }
    }, 60_000);
  });
}
