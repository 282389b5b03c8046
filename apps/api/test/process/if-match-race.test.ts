import { describe, expect, it } from "vitest";
import { attackRuns, reportAttackFigures } from "../support/attack-report";
import { signUpOverHttp } from "../support/http-user";
import { PROCESS_SECRET, processEngines, startServerProcess } from "../support/server-process";

// Concurrent writers holding the same ETag, over real sockets with the Accept-Encoding every
// browser sends: exactly one write wins each round, the others get 412, and the version moves
// once. (Before decision 021, compression weakened the ETag and every one of them got 412.)

const ORIGIN = "http://localhost:3000";
const WRITERS = 20;
const BROWSER = { "Accept-Encoding": "gzip, deflate, br, zstd" };

const engines = processEngines();

for (const engine of engines) {
  if (engine.skip)
    console.warn(`[process] skipping If-Match races on ${engine.name}: ${engine.skip}`);

  describe.skipIf(engine.skip)(`concurrent If-Match writers over HTTP (${engine.name})`, () => {
    it("exactly one of them wins each round, with PUT, PATCH and DELETE", async () => {
      const database = await engine.open();
      const server = await startServerProcess({
        env: {
          ...database.env,
          NODE_ENV: "test",
          BETTER_AUTH_SECRET: PROCESS_SECRET,
          BETTER_AUTH_URL: ORIGIN,
          RATE_LIMIT_PER_MINUTE: "0",
        },
      });
      const rounds = attackRuns(3, 25);
      let races = 0;
      try {
        const user = await signUpOverHttp(server.base, ORIGIN);
        const tasks = `${server.base}/api/${user.id}/tasks`;
        const auth = { ...BROWSER, Authorization: `Bearer ${user.jwt}` };
        const json = { ...auth, "Content-Type": "application/json" };

        for (let round = 0; round < rounds; round++) {
          const created = await fetch(tasks, {
            method: "POST",
            headers: json,
            body: JSON.stringify({ title: `race ${round}`, description: "d".repeat(900) }),
          });
          const { id } = (await created.json()) as { id: number };
          const read = await fetch(`${tasks}/${id}`, { headers: auth });
          const etag = read.headers.get("etag") ?? "";
          expect(etag).toBe(`"${id}-1"`);

          for (const method of ["PUT", "PATCH"] as const) {
            const current =
              (await fetch(`${tasks}/${id}`, { headers: auth })).headers.get("etag") ?? "";
            const answers = await Promise.all(
              Array.from({ length: WRITERS }, (_, writer) =>
                method === "PUT"
                  ? fetch(`${tasks}/${id}`, {
                      method,
                      headers: { ...json, "If-Match": current },
                      body: JSON.stringify({ title: `writer ${writer}` }),
                    })
                  : fetch(`${tasks}/${id}/complete`, {
                      method,
                      headers: { ...auth, "If-Match": current },
                    }),
              ),
            );
            const statuses = answers.map((answer) => answer.status).sort();
            expect(statuses, `${method} round ${round}`).toEqual([
              200,
              ...Array(WRITERS - 1).fill(412),
            ]);
            const after = await fetch(`${tasks}/${id}`, { headers: auth });
            const version = Number(current.slice(1, -1).split("-")[1]);
            expect(after.headers.get("etag")).toBe(`"${id}-${version + 1}"`);
            races += 1;
          }

          const last = (await fetch(`${tasks}/${id}`, { headers: auth })).headers.get("etag") ?? "";
          const deletes = await Promise.all(
            Array.from({ length: WRITERS }, () =>
              fetch(`${tasks}/${id}`, { method: "DELETE", headers: { ...auth, "If-Match": last } }),
            ),
          );
          const statuses = deletes.map((answer) => answer.status);
          // One delete wins; the others find a changed (412) or, once it is gone, no task (404).
          expect(statuses.filter((status) => status === 204)).toHaveLength(1);
          expect(statuses.every((status) => [204, 404, 412].includes(status))).toBe(true);
          expect((await fetch(`${tasks}/${id}`, { headers: auth })).status).toBe(404);
          races += 1;
        }
        reportAttackFigures("if-match-race", engine.name, {
          races,
          writers: WRITERS,
        });
      } finally {
        await server.stop();
        await database.cleanUp();
      }
    }, 120_000);
  });
}
