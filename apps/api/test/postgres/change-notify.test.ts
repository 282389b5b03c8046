import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { createTestServer, postgresUrlOf, type TestServer } from "../support/test-server";

// What a write sends to the other server processes (decision 047): after it committed, one NOTIFY
// on task_events per user, naming the user and the process that wrote; none with SYNC_NOTIFY=off,
// and none from the database itself, whatever wrote (the trigger of migration 0006 sent one in the
// write's transaction, and made every notifying commit wait for the others).

let server: TestServer | undefined;
let listener: pg.Client | undefined;
afterEach(async () => {
  await listener?.end();
  await server?.close();
  listener = undefined;
  server = undefined;
});

/** A session listening on the test database, and the payloads it has heard so far. */
async function listen(url: string) {
  const heard: string[] = [];
  listener = new pg.Client({ connectionString: url });
  await listener.connect();
  listener.on("notification", (message) => heard.push(message.payload ?? ""));
  await listener.query("listen task_events");
  return heard;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe.each(["on", "off"])("SYNC_NOTIFY=%s", (notify) => {
  it(`${notify === "on" ? "sends one notification per user" : "sends none"} for writes through the API`, async () => {
    server = await createTestServer({ SYNC_NOTIFY: notify });
    const url = postgresUrlOf(server.database);
    const [alice, bob] = [await server.signUp("Alice"), await server.signUp("Bob")];
    const heard = await listen(url);
    // Writes of two users in one moment. Those that end within one batch (10 ms) share a NOTIFY
    // statement and a user's two writes one payload; on a busy machine they may not.
    await Promise.all([server.createTask(alice), server.createTask(alice), server.createTask(bob)]);
    // A read and a refused write announce nothing.
    await server.call("GET", `/api/${alice.id}/tasks`, { token: alice.jwt });
    await server.call("POST", `/api/${alice.id}/tasks`, { token: alice.jwt, body: { title: "" } });
    await settle();
    if (notify === "off") {
      expect(heard).toEqual([]);
      return;
    }
    const payloads = heard.map((payload) => JSON.parse(payload));
    const users = payloads.map((payload) => payload.user_id);
    expect([...new Set(users)].sort()).toEqual([alice.id, bob.id].sort());
    expect(users.length).toBeLessThanOrEqual(3);
    expect(new Set(payloads.map((payload) => payload.origin)).size).toBe(1);
  });
});

it("no write sends a notification from inside its transaction", async () => {
  server = await createTestServer({ SYNC_NOTIFY: "on" });
  const url = postgresUrlOf(server.database);
  const heard = await listen(url);
  const writer = new pg.Client({ connectionString: url });
  await writer.connect();
  await writer.query("insert into tasks (user_id, title) values ('by-hand', 'written by hand')");
  await writer.end();
  await settle();
  expect(heard).toEqual([]);
});
