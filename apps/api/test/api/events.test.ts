import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pruneEvents } from "../../src/sync/prune-events";
import { readSse } from "../support/sse";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// GET /api/{user_id}/events in-process on both engines (the hub woken by this process's writes,
// decision 047, and by its poll). The wire itself (headers, compression, sockets, replicas) is in
// test/process.

let server: TestServer;

beforeAll(async () => {
  server = await createTestServer();
});
afterAll(() => server.close());

async function openStream(user: TestUser, headers: Record<string, string> = {}, query = "") {
  const response = await server.app.request(`/api/${user.id}/events${query}`, {
    headers: { Authorization: `Bearer ${user.jwt}`, ...headers },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  return readSse(response);
}

describe("GET /api/{user_id}/events", () => {
  it("streams the user's changes from now on, each with id = seq and event = task", async () => {
    const user = await server.signUp();
    await server.createTask(user, { title: "Before the stream" });
    const stream = await openStream(user);
    try {
      const task = await server.createTask(user, { title: "Live" });
      await server.call("PATCH", `/api/${user.id}/tasks/${task.id}/complete`, { token: user.jwt });
      await stream.untilEvents(2);
      const frames = stream.frames.filter((frame) => frame.event === "task");
      expect(frames.map((frame) => frame.id)).toEqual(["2", "3"]);
      expect(stream.events().map((e) => [e.seq, e.op, e.task.title])).toEqual([
        [2, "create", "Live"],
        [3, "update", "Live"],
      ]);
    } finally {
      await stream.cancel();
    }
  });

  it("carries 20 concurrent writers' events once each, in seq order, without a gap", async () => {
    const user = await server.signUp();
    const stream = await openStream(user);
    try {
      const tasks = await Promise.all(Array.from({ length: 20 }, () => server.createTask(user)));
      await Promise.all(
        tasks.map((task) =>
          server.call("PATCH", `/api/${user.id}/tasks/${task.id}/complete`, { token: user.jwt }),
        ),
      );
      await stream.untilEvents(40);
      // A little longer: a repeat would arrive now.
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(stream.events().map((e) => e.seq)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
    } finally {
      await stream.cancel();
    }
  });

  it("never carries another user's events", async () => {
    const [alice, bob] = [await server.signUp(), await server.signUp()];
    const aliceStream = await openStream(alice);
    const bobStream = await openStream(bob);
    try {
      await server.createTask(bob, { title: "Bob's" });
      await server.createTask(alice, { title: "Alice's" });
      await Promise.all([aliceStream.untilEvents(1), bobStream.untilEvents(1)]);
      // A later write of Bob's would have arrived behind Alice's by now if it leaked.
      await server.createTask(bob, { title: "Bob's second" });
      await bobStream.untilEvents(2);
      expect(aliceStream.events().map((e) => e.task.user_id)).toEqual([alice.id]);
      expect(bobStream.events().map((e) => e.task.user_id)).toEqual([bob.id, bob.id]);
      const foreign = await server.app.request(`/api/${bob.id}/events`, {
        headers: { Authorization: `Bearer ${alice.jwt}` },
      });
      expect(foreign.status).toBe(403);
      expect((await server.app.request(`/api/${bob.id}/events`)).status, "without a token").toBe(
        401,
      );
    } finally {
      await Promise.all([aliceStream.cancel(), bobStream.cancel()]);
    }
  });

  it("resumes after Last-Event-ID (or since) with nothing lost and nothing repeated", async () => {
    const user = await server.signUp();
    const first = await openStream(user);
    await server.createTask(user, { title: "one" });
    await first.untilEvents(1);
    await first.cancel();
    // Written while no stream is open.
    await server.createTask(user, { title: "two" });
    await server.createTask(user, { title: "three" });
    const resumed = await openStream(user, { "Last-Event-ID": "1" }, "?since=0");
    const bySince = await openStream(user, {}, "?since=2");
    try {
      await server.createTask(user, { title: "four" });
      await resumed.untilEvents(3);
      await bySince.untilEvents(2);
      expect(resumed.events().map((e) => e.task.title)).toEqual(["two", "three", "four"]);
      expect(bySince.events().map((e) => e.task.title)).toEqual(["three", "four"]);
    } finally {
      await Promise.all([resumed.cancel(), bySince.cancel()]);
    }
  });

  it("answers 410 before streaming when the resume point was pruned, and 422 for a bad one", async () => {
    const user = await server.signUp();
    await server.createTask(user);
    await server.createTask(user);
    await pruneEvents(server.database.db, new Date(Date.now() + 1_000));
    const gone = await server.app.request(`/api/${user.id}/events`, {
      headers: { Authorization: `Bearer ${user.jwt}`, "Last-Event-ID": "1" },
    });
    expect(gone.status).toBe(410);
    expect(gone.headers.get("content-type")).toBe("application/problem+json");
    const bad = await server.app.request(`/api/${user.id}/events?since=x`, {
      headers: { Authorization: `Bearer ${user.jwt}` },
    });
    expect(bad.status).toBe(422);
  });
});

describe("a write through this process", () => {
  it("reaches its stream at once, without the poll (decision 047)", async () => {
    // The poll a minute away: only the write's own announcement can wake the hub in time.
    const quiet = await createTestServer({}, { changePollIntervalMs: 60_000 });
    try {
      const user = await quiet.signUp();
      const response = await quiet.app.request(`/api/${user.id}/events`, {
        headers: { Authorization: `Bearer ${user.jwt}` },
      });
      const stream = await readSse(response);
      try {
        await quiet.createTask(user, { title: "Announced" });
        await stream.untilEvents(1, 2_000);
        expect(stream.events().map((e) => e.task.title)).toEqual(["Announced"]);
      } finally {
        await stream.cancel();
      }
    } finally {
      await quiet.close();
    }
  });
});
