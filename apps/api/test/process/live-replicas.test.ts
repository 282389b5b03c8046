import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUpOverHttp } from "../support/http-user";
import {
  createScratchDatabase,
  PROCESS_SECRET,
  postgresUnavailable,
  type ServerProcess,
  startServerProcess,
} from "../support/server-process";
import { readSse } from "../support/sse";

// Issue 8, "Replicas": a change committed through one server process reaches an event stream on
// another within 1 s with LISTEN/NOTIFY, and within 2 s by the poll alone (SYNC_NOTIFY=off, the
// pooled case). Decisions 036 and 047. With NOTIFY the median must also stay far below the poll's
// (about 500 ms, as the writes are spread over its phase): the poll alone would pass 1 s.

const unavailable = postgresUnavailable();
if (unavailable) console.warn(`[live-replicas] SKIPPING: no Postgres (${unavailable})`);

const PUBLIC_URL = "http://localhost:3000";
const WRITES = 8;

const cases = [
  { notify: "on", limitMs: 1_000, medianUnderMs: 300 },
  { notify: "off", limitMs: 2_000, medianUnderMs: undefined },
] as const;

for (const { notify, limitMs, medianUnderMs } of cases) {
  describe.skipIf(unavailable)(`two processes on one Postgres, SYNC_NOTIFY=${notify}`, () => {
    let database: Awaited<ReturnType<typeof createScratchDatabase>>;
    let writer: ServerProcess;
    let reader: ServerProcess;

    beforeAll(async () => {
      database = await createScratchDatabase();
      const env = {
        DATABASE_URL: database.url,
        BETTER_AUTH_SECRET: PROCESS_SECRET,
        BETTER_AUTH_URL: PUBLIC_URL,
        RATE_LIMIT_PER_MINUTE: "0",
        SYNC_NOTIFY: notify,
      };
      // One after the other: the first migrates the empty database.
      writer = await startServerProcess({ env });
      reader = await startServerProcess({ env });
    }, 90_000);
    afterAll(async () => {
      await Promise.all([writer?.stop(), reader?.stop()]);
      await database?.drop();
    });

    it(`delivers a write through A to a stream on B within ${limitMs} ms, each time`, async ({
      annotate,
    }) => {
      const user = await signUpOverHttp(writer.base, PUBLIC_URL);
      const other = await signUpOverHttp(writer.base, PUBLIC_URL);
      const stream = readSse(
        await fetch(`${reader.base}/api/${user.id}/events`, {
          headers: { Authorization: `Bearer ${user.jwt}` },
        }),
      );
      await stream.until((frames) => frames.some((frame) => frame.retry !== undefined));
      const latencies: number[] = [];
      try {
        for (let i = 0; i < WRITES; i++) {
          // Another user's write on the same processes: it must not show in this stream.
          await fetch(`${writer.base}/api/${other.id}/tasks`, {
            method: "POST",
            headers: { Authorization: `Bearer ${other.jwt}`, "Content-Type": "application/json" },
            body: JSON.stringify({ title: `not yours ${i}` }),
          });
          const sent = performance.now();
          const response = await fetch(`${writer.base}/api/${user.id}/tasks`, {
            method: "POST",
            headers: { Authorization: `Bearer ${user.jwt}`, "Content-Type": "application/json" },
            body: JSON.stringify({ title: `write ${i}` }),
          });
          expect(response.status).toBe(201);
          await stream.untilEvents(i + 1, limitMs + 3_000);
          latencies.push(performance.now() - sent);
          // Spread the writes over the poll's phase instead of always right after a delivery.
          await new Promise((resolve) => setTimeout(resolve, 137 * (i + 1)));
        }
      } finally {
        await stream.cancel();
      }
      const sorted = [...latencies].sort((a, b) => a - b);
      const summary = `write on A → event on B (ms): median ${sorted[sorted.length >> 1]?.toFixed(0)}, max ${sorted.at(-1)?.toFixed(0)}; all ${latencies.map((ms) => ms.toFixed(0)).join(", ")}`;
      await annotate(summary);
      expect(stream.events().map((e) => e.task.title)).toEqual(
        Array.from({ length: WRITES }, (_, i) => `write ${i}`),
      );
      expect(Math.max(...latencies)).toBeLessThan(limitMs);
      if (medianUnderMs) expect(sorted[sorted.length >> 1]).toBeLessThan(medianUnderMs);
    }, 60_000);
  });
}
