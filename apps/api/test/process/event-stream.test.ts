import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IDLE_CONNECTION_GRACE_MS } from "../../src/shutdown";
import { signUpOverHttp } from "../support/http-user";
import {
  PROCESS_SECRET,
  processEngines,
  type ServerProcess,
  startServerProcess,
} from "../support/server-process";
import { readSse } from "../support/sse";
import { decodePayload, sleep } from "../support/tokens";

// GET /events over real sockets against the built server, on both engines (decision 036): the
// headers a proxy and a browser see, the 5 s deadline it must escape, the per-user cap, a resume
// after a dropped connection, the token's expiry and a prompt shutdown.

/** Short, so that a stream outlives the 5 s request deadline and still ends within the test. */
const TOKEN_SECONDS = 9;
const PUBLIC_URL = "http://localhost:3000";

for (const engine of processEngines()) {
  describe.skipIf(engine.skip)(`event streams over HTTP (${engine.name})`, () => {
    let server: ServerProcess;
    let cleanUp: () => Promise<void>;
    let user: Awaited<ReturnType<typeof signUpOverHttp>>;

    beforeAll(async () => {
      const database = await engine.open();
      cleanUp = database.cleanUp;
      server = await startServerProcess({
        env: {
          ...database.env,
          BETTER_AUTH_SECRET: PROCESS_SECRET,
          BETTER_AUTH_URL: PUBLIC_URL,
          RATE_LIMIT_PER_MINUTE: "0",
          JWT_EXPIRES_IN: `${TOKEN_SECONDS}s`,
        },
      });
      user = await signUpOverHttp(server.base, PUBLIC_URL);
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await cleanUp?.();
    });

    /** A token issued now (each lives TOKEN_SECONDS). */
    async function freshJwt() {
      const response = await fetch(`${server.base}/api/auth/token`, {
        headers: { Authorization: `Bearer ${user.sessionToken}`, Origin: PUBLIC_URL },
      });
      return ((await response.json()) as { token: string }).token;
    }

    const open = (jwt: string, headers: Record<string, string> = {}) =>
      fetch(`${server.base}/api/${user.id}/events`, {
        headers: {
          Authorization: `Bearer ${jwt}`,
          "Accept-Encoding": "gzip, deflate, br",
          ...headers,
        },
      });

    const create = async (jwt: string, title: string) => {
      const response = await fetch(`${server.base}/api/${user.id}/tasks`, {
        method: "POST",
        headers: { Authorization: `Bearer ${jwt}`, "Content-Type": "application/json" },
        body: JSON.stringify({ title }),
      });
      expect(response.status).toBe(201);
    };

    it("is an uncompressed, unbuffered, unstored text/event-stream whose events arrive one by one", async () => {
      const jwt = await freshJwt();
      const response = await open(jwt);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/event-stream");
      expect(response.headers.get("content-encoding")).toBeNull();
      expect(response.headers.get("cache-control")).toBe("no-store, no-transform");
      expect(response.headers.get("x-accel-buffering")).toBe("no");
      const stream = readSse(response);
      await stream.until((frames) => frames.some((frame) => frame.retry !== undefined));
      await create(jwt, "first");
      await stream.untilEvents(1);
      await create(jwt, "second");
      await stream.untilEvents(2);
      expect(stream.events().map((e) => e.task.title)).toEqual(["first", "second"]);
      await stream.cancel();
    });

    it("outlives the 5 s request deadline and ends when the token expires", async () => {
      const jwt = await freshJwt();
      const expiresAt = Number(decodePayload(jwt).exp) * 1000;
      const stream = readSse(await open(jwt));
      await sleep(Math.max(0, expiresAt - Date.now() - 2_500));
      expect(stream.isClosed(), "open until just before the token's exp").toBe(false);
      await stream.closed;
      const late = Date.now() - expiresAt;
      expect(late).toBeGreaterThan(-1_000);
      expect(late).toBeLessThan(1_500);
    }, 30_000);

    it("allows 10 streams per user on one server and answers the 11th with 429", async () => {
      const jwt = await freshJwt();
      const responses = await Promise.all(Array.from({ length: 10 }, () => open(jwt)));
      expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
      const streams = responses.map(readSse);
      const refused = await open(jwt);
      expect(refused.status).toBe(429);
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      await refused.body?.cancel();
      // Closing one gives its slot back once the server sees the socket close.
      await streams[0]?.cancel();
      let again: Response | undefined;
      for (let i = 0; i < 20 && again?.status !== 200; i++) {
        await again?.body?.cancel();
        await sleep(100);
        again = await open(jwt);
      }
      expect(again?.status).toBe(200);
      await again?.body?.cancel();
      await Promise.all(streams.map((stream) => stream.cancel()));
    });

    it("loses nothing across a dropped connection resumed with Last-Event-ID", async () => {
      const jwt = await freshJwt();
      const first = readSse(await open(jwt));
      await create(jwt, "before the drop");
      await first.untilEvents(1);
      const lastId = first.frames.filter((frame) => frame.event === "task").at(-1)?.id ?? "";
      await first.cancel();
      for (const title of ["while away 1", "while away 2", "while away 3"])
        await create(jwt, title);
      const resumed = readSse(await open(jwt, { "Last-Event-ID": lastId }));
      await create(jwt, "after the return");
      await resumed.untilEvents(4);
      expect(resumed.events().map((e) => e.task.title)).toEqual([
        "while away 1",
        "while away 2",
        "while away 3",
        "after the return",
      ]);
      const seqs = resumed.events().map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => Number(lastId) + 1 + i));
      await resumed.cancel();
    });
  });

  describe.skipIf(engine.skip)(`event streams at shutdown (${engine.name})`, () => {
    it("end at once on SIGTERM, and the server exits 0 instead of waiting out the drain timeout", async () => {
      const database = await engine.open();
      try {
        const server = await startServerProcess({
          env: {
            ...database.env,
            BETTER_AUTH_SECRET: PROCESS_SECRET,
            BETTER_AUTH_URL: PUBLIC_URL,
            RATE_LIMIT_PER_MINUTE: "0",
          },
        });
        const user = await signUpOverHttp(server.base, PUBLIC_URL);
        const open = async () => {
          const response = await fetch(`${server.base}/api/${user.id}/events`, {
            headers: { Authorization: `Bearer ${user.jwt}` },
          });
          const stream = readSse(response);
          await stream.until((frames) => frames.some((frame) => frame.retry !== undefined));
          return stream;
        };
        const streams = [await open(), await open()];
        const started = Date.now();
        const exit = server.stop("SIGTERM");
        await Promise.all(streams.map((stream) => stream.closed));
        const streamsEnded = Date.now() - started;
        expect(await exit).toBe(0);
        const exited = Date.now() - started;
        expect(streamsEnded).toBeLessThan(500);
        // What is left is the grace of the idle keep-alive connections (the sign-up's), not 8 s.
        expect(exited).toBeLessThan(IDLE_CONNECTION_GRACE_MS + 1_500);
      } finally {
        await database.cleanUp();
      }
    });
  });
}
