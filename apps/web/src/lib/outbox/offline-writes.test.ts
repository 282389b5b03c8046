import { describe, expect, it } from "vitest";
import { createFakeApi, makeTask, problem } from "@/test/fake-api";
import { offlineWritesOver } from "@/test/offline-writes";
import { forgetOfflineData } from "../offline-databases";
import { createOfflineWrites } from "./offline-writes";
import { createIdbOutboxStore } from "./outbox-store";

/** One user's offline writes over the fake API, with a network switch the test controls. */
function setup(tasks = [makeTask({ id: 1, title: "Buy milk", priority: "low" })]) {
  const server = createFakeApi(tasks);
  const { network, api, writes, open, events } = offlineWritesOver(server);
  const sent = () =>
    server.writes().map((r) => `${r.method} ${r.path} ${r.headers.get("If-Match") ?? ""}`.trim());
  return { server, network, api, writes, open, events, sent };
}

describe("offline writes", () => {
  it("queues every write while offline, then replays them once, in order, with their headers", async () => {
    const { server, network, writes, sent } = setup();
    expect(await writes.submit({ kind: "create", input: { title: "Call mom" } })).toEqual({
      queued: true,
    });
    await writes.submit({
      kind: "update",
      taskId: 1,
      changes: { title: "Buy oat milk" },
      base: { title: "Buy milk" },
      version: 1,
    });
    await writes.submit({ kind: "complete", taskId: 1, completed: true, version: 2 });
    await writes.submit({ kind: "delete", taskId: 1 });
    expect(writes.getState().waiting).toBe(4);
    expect(server.requests).toHaveLength(0);

    network.online = true;
    await writes.replay();

    expect(sent()).toEqual([
      "POST /api/user-1/tasks",
      'PUT /api/user-1/tasks/1 "1-1"',
      'PATCH /api/user-1/tasks/1/complete "1-2"',
      "DELETE /api/user-1/tasks/1",
    ]);
    expect(server.writes()[0]?.headers.get("Idempotency-Key")).toBe("key-1");
    expect(server.tasks().map((t) => t.title)).toEqual(["Call mom"]);
    expect(writes.getState().waiting).toBe(0);
  });

  it("refreshes the JWT before replaying, even when the one it holds looks fresh", async () => {
    const { server, network, api, writes } = setup();
    network.online = true;
    await api.getToken();
    network.online = false;
    await writes.submit({ kind: "complete", taskId: 1, completed: true, version: 1 });
    network.online = true;
    await writes.replay();
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/auth/token",
      "GET /api/auth/token",
      "PATCH /api/user-1/tasks/1/complete",
    ]);
  });

  it("keeps queued writes across a reload (a new instance on the same store)", async () => {
    const { server, network, writes, open } = setup();
    await writes.submit({ kind: "create", input: { title: "Survives a reload" } });
    network.online = true;
    // A new page: started, it finds the write and sends it without being asked.
    open();
    await expect
      .poll(() => server.tasks().map((t) => t.title))
      .toEqual(["Buy milk", "Survives a reload"]);
  });

  it("sends a create again with the same Idempotency-Key after a lost answer: one task", async () => {
    const { server, network, writes } = setup([]);
    network.online = true;
    let dropped = false;
    server.override(async (request) => {
      if (request.method !== "POST" || dropped) return undefined;
      dropped = true;
      // The server creates the task, but its answer never arrives.
      await server.fetch(`http://localhost${request.path}`, {
        method: "POST",
        headers: request.headers,
        body: JSON.stringify(request.body),
      });
      throw new TypeError("Failed to fetch");
    });
    expect(await writes.submit({ kind: "create", input: { title: "Once" } })).toEqual({
      queued: true,
    });
    await writes.replay();
    const posts = server.writes().filter((r) => r.method === "POST");
    expect(new Set(posts.map((r) => r.headers.get("Idempotency-Key")))).toEqual(new Set(["key-1"]));
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(server.tasks().map((t) => t.title)).toEqual(["Once"]);
  });

  it("after a 412 re-applies only its own changes; the server wins where both changed a field", async () => {
    const { server, network, writes, events, sent } = setup();
    await writes.submit({
      kind: "update",
      taskId: 1,
      changes: { title: "Buy oat milk", priority: "high" },
      base: { title: "Buy milk", priority: "low" },
      version: 1,
    });
    server.changeElsewhere(1, { priority: "medium", description: "2 litres" });

    network.online = true;
    await writes.replay();

    expect(sent()).toEqual(['PUT /api/user-1/tasks/1 "1-1"', 'PUT /api/user-1/tasks/1 "1-2"']);
    expect(server.writes()[1]?.body).toEqual({ title: "Buy oat milk" });
    expect(server.tasks()[0]).toMatchObject({
      title: "Buy oat milk",
      priority: "medium",
      description: "2 litres",
    });
    expect(events).toEqual([
      { type: "conflict", task: expect.objectContaining({ id: 1 }), fields: ["priority"] },
    ]);
  });

  it("sends nothing more when the other side already made the same change", async () => {
    const { server, network, writes, events, sent } = setup();
    await writes.submit({ kind: "complete", taskId: 1, completed: true, version: 1 });
    server.changeElsewhere(1, { completed: true });
    network.online = true;
    await writes.replay();
    expect(sent()).toEqual(['PATCH /api/user-1/tasks/1/complete "1-1"']);
    expect(events).toEqual([]);
    expect(writes.getState().waiting).toBe(0);
  });

  it("sends an edit made online at once, without If-Match; it queues with it if the answer is lost", async () => {
    const { server, network, writes, sent } = setup();
    network.online = true;
    await writes.replay(); // the start-up replay, with nothing to send
    expect(
      await writes.submit({ kind: "complete", taskId: 1, completed: true, version: 1 }),
    ).toEqual({ queued: false, task: expect.objectContaining({ completed: true }) });
    expect(sent()).toEqual(["PATCH /api/user-1/tasks/1/complete"]);
    server.override((request) => {
      if (request.method === "PUT" && server.writes().length === 2) throw new TypeError("Failed");
      return undefined;
    });
    const change = {
      kind: "update",
      taskId: 1,
      changes: { title: "Lost answer" },
      base: { title: "Buy milk" },
      version: 2,
    } as const;
    expect(await writes.submit(change)).toEqual({ queued: true });
    await writes.replay();
    expect(sent()).toEqual([
      "PATCH /api/user-1/tasks/1/complete",
      "PUT /api/user-1/tasks/1",
      'PUT /api/user-1/tasks/1 "1-2"',
    ]);
    expect(server.tasks()[0]?.title).toBe("Lost answer");
  });

  it("keeps later writes behind earlier ones: online with writes waiting, a new one queues", async () => {
    const { server, network, writes, sent } = setup();
    await writes.submit({ kind: "complete", taskId: 1, completed: true, version: 1 });
    network.online = true;
    server.override((request) =>
      request.method === "PATCH" ? problem(503, "Service Unavailable") : undefined,
    );
    await writes.replay();
    expect(writes.getState().waiting).toBe(1);
    expect(
      await writes.submit({
        kind: "update",
        taskId: 1,
        changes: { title: "Later" },
        base: { title: "Buy milk" },
        version: 2,
      }),
    ).toEqual({ queued: true });
    expect(sent().filter((line) => line.startsWith("PUT"))).toEqual([]);
  });

  it("drops a write the server refuses for good and reports it; later writes still go", async () => {
    const { server, network, writes, events, sent } = setup();
    await writes.submit({ kind: "delete", taskId: 99 });
    await writes.submit({
      kind: "update",
      taskId: 98,
      changes: { title: "Gone" },
      base: { title: "Was" },
      version: 1,
    });
    await writes.submit({ kind: "create", input: { title: "Still sent" } });
    network.online = true;
    await writes.replay();
    expect(sent()).toEqual([
      "DELETE /api/user-1/tasks/99",
      'PUT /api/user-1/tasks/98 "98-1"',
      "POST /api/user-1/tasks",
    ]);
    // A delete of a task already gone is what the user wanted; an edit of one is not.
    expect(events.map((e) => e.type)).toEqual(["refused"]);
    expect(server.tasks().map((t) => t.title)).toContain("Still sent");
    expect(writes.getState().waiting).toBe(0);
  });

  it("sends the writes made to a task added offline to the server's task, once each", async () => {
    const { server, network, writes, events, sent } = setup([]);
    await writes.submit({ kind: "create", input: { title: "Buy milk" }, localId: -7 });
    await writes.submit({
      kind: "update",
      taskId: -7,
      changes: { title: "Buy oat milk" },
      base: { title: "Buy milk" },
      version: 0,
    });
    await writes.submit({ kind: "complete", taskId: -7, completed: true, version: 0 });
    await writes.submit({ kind: "delete", taskId: -7 });
    expect(writes.getState().waiting).toBe(4);

    network.online = true;
    await writes.replay();

    // Made on the task as created, each edit names the version the one before it made: no 412.
    expect(sent()).toEqual([
      "POST /api/user-1/tasks",
      'PUT /api/user-1/tasks/1 "1-1"',
      'PATCH /api/user-1/tasks/1/complete "1-2"',
      "DELETE /api/user-1/tasks/1",
    ]);
    expect(server.writes()[0]?.headers.get("Idempotency-Key")).toBe("key-1");
    expect(server.tasks()).toEqual([]);
    expect(events).toEqual([
      { type: "created", localId: -7, task: expect.objectContaining({ id: 1, version: 1 }) },
    ]);
    expect(writes.getState().waiting).toBe(0);
  });

  it("after a merge, later edits made on the old version are merged too, not forced through", async () => {
    const { server, network, writes, events } = setup();
    await writes.submit({
      kind: "update",
      taskId: 1,
      changes: { title: "Buy oat milk" },
      base: { title: "Buy milk" },
      version: 1,
    });
    await writes.submit({
      kind: "update",
      taskId: 1,
      changes: { priority: "high" },
      base: { priority: "low" },
      version: 1,
    });
    // One change elsewhere, to both fields, makes version 2.
    server.changeElsewhere(1, { title: "Buy soy milk", priority: "medium" });
    network.online = true;
    await writes.replay();
    expect(server.tasks()[0]).toMatchObject({ title: "Buy soy milk", priority: "medium" });
    expect(events).toEqual([
      { type: "conflict", task: expect.objectContaining({ id: 1 }), fields: ["title"] },
      { type: "conflict", task: expect.objectContaining({ id: 1 }), fields: ["priority"] },
    ]);
  });

  it("skips the writes to a task added offline when the server refuses to create it", async () => {
    const { server, network, writes, events, sent } = setup([]);
    server.override((request) =>
      request.method === "POST" ? problem(422, "Unprocessable Content") : undefined,
    );
    await writes.submit({ kind: "create", input: { title: "Too long" }, localId: -3 });
    await writes.submit({ kind: "complete", taskId: -3, completed: true, version: 0 });
    await writes.submit({ kind: "create", input: { title: "Still sent" }, localId: -4 });
    network.online = true;
    await writes.replay();
    expect(sent()).toEqual(["POST /api/user-1/tasks", "POST /api/user-1/tasks"]);
    expect(events.map((event) => event.type)).toEqual(["refused", "refused"]);
    expect(writes.getState().waiting).toBe(0);
  });

  it("online, a change to a task whose create is on its way waits for its answer", async () => {
    const { server, network, writes, sent } = setup([]);
    network.online = true;
    await writes.replay();
    let answer = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    server.override(async (request) => {
      if (request.method === "POST") await answered;
      return undefined;
    });
    const create = writes.submit({ kind: "create", input: { title: "New" }, localId: -9 });
    const toggle = writes.submit({ kind: "complete", taskId: -9, completed: true, version: 0 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    answer();
    await create;
    expect(await toggle).toEqual({
      queued: false,
      task: expect.objectContaining({ id: 1, completed: true }),
    });
    expect(sent()).toEqual(["POST /api/user-1/tasks", "PATCH /api/user-1/tasks/1/complete"]);
  });

  it("after a reload, a change to a task added before it still reaches the server's task", async () => {
    const { network, writes, open, sent } = setup([]);
    network.online = true;
    await writes.replay();
    await writes.submit({ kind: "create", input: { title: "Added" }, localId: -2 });
    // A new page still shows the task under its temporary id (the persisted query cache).
    const reloaded = open();
    await reloaded.replay();
    await reloaded.submit({
      kind: "update",
      taskId: -2,
      changes: { title: "Renamed" },
      base: { title: "Added" },
      version: 0,
    });
    expect(sent()).toEqual(["POST /api/user-1/tasks", "PUT /api/user-1/tasks/1"]);
  });

  it("refuses a change to a temporary id nothing will create", async () => {
    const { network, writes } = setup([]);
    network.online = true;
    await expect(
      writes.submit({ kind: "complete", taskId: -1, completed: true, version: 0 }),
    ).rejects.toMatchObject({ status: 404 });
  });

  it("without a usable outbox, an offline write fails as before instead of vanishing", async () => {
    const { api, network } = setup();
    const broken = createIdbOutboxStore("user-1");
    broken.append = () => Promise.reject(new Error("QuotaExceededError"));
    broken.list = () => Promise.reject(new Error("QuotaExceededError"));
    const writes = createOfflineWrites({
      api,
      userId: "user-1",
      store: broken,
      isOnline: () => network.online,
    });
    await expect(writes.submit({ kind: "create", input: { title: "Nowhere" } })).rejects.toThrow(
      /Cannot reach the server/,
    );
  });

  it("keeps each user's outbox apart and forgets it on sign-out", async () => {
    const { writes } = setup();
    await writes.submit({ kind: "create", input: { title: "Ann's" } });
    expect(await createIdbOutboxStore("user-2").list()).toEqual([]);
    expect(await createIdbOutboxStore("user-1").list()).toHaveLength(1);
    await forgetOfflineData("user-1");
    expect(await createIdbOutboxStore("user-1").list()).toEqual([]);
  });
});
