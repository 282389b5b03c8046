import { describe, expect, it } from "vitest";
import { createFakeApi, makeTask } from "@/test/fake-api";
import { offlineWritesOver } from "@/test/offline-writes";
import type { NewWrite } from "./queued-write";

// The outbox's bulk and trash writes (decision 038): mark all complete, clear completed, restore,
// delete forever and empty trash, queued offline and sent again safely after a lost answer.

/** Tasks 1 (completed), 2 and 5 live; 3 and 4 in the trash. */
async function setup() {
  const server = createFakeApi([
    makeTask({ id: 1, title: "Done", completed: true }),
    makeTask({ id: 2, title: "Keep" }),
    makeTask({ id: 3, title: "Trashed A" }),
    makeTask({ id: 4, title: "Trashed B" }),
    makeTask({ id: 5, title: "Other" }),
  ]);
  for (const id of [4, 3]) await server.fetch(`/api/user-1/tasks/${id}`, { method: "DELETE" });
  server.requests.length = 0;
  const { network, writes, events } = offlineWritesOver(server);
  const sent = () =>
    server
      .writes()
      .map((r) => `${r.method} ${r.path} ${r.headers.get("Idempotency-Key") ?? ""}`.trim());
  const live = () =>
    server
      .tasks()
      .toSorted((a, b) => a.id - b.id)
      .map((t) => `${t.id}${t.completed ? " done" : ""}`);
  const trashed = () =>
    server
      .trash()
      .map((t) => t.id)
      .toSorted((a, b) => a - b);
  return { server, network, writes, events, sent, live, trashed };
}

/** The server does the request, but its answer never reaches the browser (once). */
function loseFirstAnswer(server: ReturnType<typeof createFakeApi>, method: string, path: string) {
  let lost = false;
  server.override(async (request) => {
    if (lost || request.method !== method || request.path !== path) return undefined;
    lost = true;
    await server.fetch(`http://localhost${request.path}`, {
      method,
      headers: request.headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
    });
    throw new TypeError("Failed to fetch");
  });
}

describe("bulk and trash writes in the outbox", () => {
  it("queue offline, then replay once each, in order, with their Idempotency-Keys", async () => {
    const { network, writes, events, sent, live, trashed } = await setup();
    const offline: NewWrite[] = [
      { kind: "delete", taskId: 2 },
      { kind: "restore", taskId: 2 }, // the toast's Undo
      { kind: "clear-completed" },
      { kind: "restore", taskId: 3 },
      { kind: "purge", taskId: 4 },
      { kind: "complete-all", completed: true },
      { kind: "empty-trash" },
    ];
    for (const write of offline) expect(await writes.submit(write)).toEqual({ queued: true });
    expect(writes.getState().waiting).toBe(7);
    expect(sent()).toEqual([]);

    network.online = true;
    await writes.replay();

    expect(sent()).toEqual([
      "DELETE /api/user-1/tasks/2",
      "POST /api/user-1/tasks/2/restore key-2",
      "DELETE /api/user-1/tasks/completed key-3",
      "POST /api/user-1/tasks/3/restore key-4",
      "DELETE /api/user-1/trash/4",
      "POST /api/user-1/tasks/complete-all key-6",
      "DELETE /api/user-1/trash key-7",
    ]);
    // Task 1 went to the trash with "Clear completed", and the trash was emptied after it.
    expect(live()).toEqual(["2 done", "3 done", "5 done"]);
    expect(trashed()).toEqual([]);
    expect(events).toEqual([]);
    expect(writes.getState().waiting).toBe(0);
  });

  it("acts on the server's tasks when sent, not on those the user saw", async () => {
    const { server, network, writes, live, trashed } = await setup();
    await writes.submit({ kind: "clear-completed" });
    server.changeElsewhere(5, { completed: true });
    network.online = true;
    await writes.replay();
    expect(live()).toEqual(["2"]);
    expect(trashed()).toEqual([1, 3, 4, 5]);
  });

  it("sends at once when online with nothing waiting, and answers how many changed", async () => {
    const { network, writes, sent } = await setup();
    network.online = true;
    await writes.replay(); // the start-up replay, with nothing to send
    expect(await writes.submit({ kind: "complete-all", completed: true })).toEqual({
      queued: false,
      count: 2,
    });
    expect(await writes.submit({ kind: "empty-trash" })).toEqual({ queued: false, count: 2 });
    expect(sent()).toEqual([
      "POST /api/user-1/tasks/complete-all key-1",
      "DELETE /api/user-1/trash key-2",
    ]);
  });

  type FakeApi = ReturnType<typeof createFakeApi>;
  interface LostAnswerCase {
    kind: string;
    write: NewWrite;
    request: string;
    /** What changes elsewhere between the lost attempt and the retry. */
    meanwhile: (server: FakeApi) => unknown;
    live: string[];
    trashed: number[];
  }
  const lostAnswerCases: LostAnswerCase[] = [
    {
      kind: "complete-all",
      write: { kind: "complete-all", completed: true },
      request: "POST /api/user-1/tasks/complete-all",
      // A task added elsewhere after the first attempt is not completed by the retry.
      meanwhile: (server) => server.tasks().push(makeTask({ id: 9 })),
      live: ["1 done", "2 done", "5 done", "9"],
      trashed: [3, 4],
    },
    {
      kind: "clear-completed",
      write: { kind: "clear-completed" },
      request: "DELETE /api/user-1/tasks/completed",
      // A task completed elsewhere after the first attempt is not cleared by the retry.
      meanwhile: (server) => server.changeElsewhere(5, { completed: true }),
      live: ["2", "5 done"],
      trashed: [1, 3, 4],
    },
    {
      kind: "empty-trash",
      write: { kind: "empty-trash" },
      request: "DELETE /api/user-1/trash",
      // A task deleted elsewhere after the first attempt stays in the trash.
      meanwhile: (server) => server.fetch("/api/user-1/tasks/5", { method: "DELETE" }),
      live: ["1 done", "2"],
      trashed: [5],
    },
    {
      kind: "restore",
      write: { kind: "restore", taskId: 3 },
      request: "POST /api/user-1/tasks/3/restore",
      meanwhile: () => undefined,
      live: ["1 done", "2", "3", "5"],
      trashed: [4],
    },
  ];
  it.each(lostAnswerCases)(
    "$kind: a retry after a lost answer has the same Idempotency-Key and changes nothing more",
    async ({ write, request, meanwhile, live: expectedLive, trashed: expectedTrash }) => {
      const { server, network, writes, live, trashed } = await setup();
      network.online = true;
      await writes.replay();
      const [method = "", path = ""] = request.split(" ");
      loseFirstAnswer(server, method, path);
      expect(await writes.submit(write)).toEqual({ queued: true });
      await meanwhile(server);
      await writes.replay();

      const attempts = server.writes().filter((r) => `${r.method} ${r.path}` === request);
      expect(attempts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(attempts.map((r) => r.headers.get("Idempotency-Key")))).toEqual(
        new Set(["key-1"]),
      );
      expect(live()).toEqual(expectedLive);
      expect(trashed()).toEqual(expectedTrash);
      expect(writes.getState().waiting).toBe(0);
    },
  );

  it("undoes the delete of a task added offline, before the server has it", async () => {
    const { network, writes, sent, live, trashed } = await setup();
    await writes.submit({ kind: "create", input: { title: "Added offline" }, localId: -7 });
    await writes.submit({ kind: "delete", taskId: -7 });
    await writes.submit({ kind: "restore", taskId: -7 });
    network.online = true;
    await writes.replay();
    expect(sent()).toEqual([
      "POST /api/user-1/tasks key-1",
      "DELETE /api/user-1/tasks/6",
      "POST /api/user-1/tasks/6/restore key-3",
    ]);
    expect(live()).toEqual(["1 done", "2", "5", "6"]);
    expect(trashed()).toEqual([3, 4]);
  });

  it("counts a restore or a purge of a task gone for good as done", async () => {
    const { network, writes, events, sent } = await setup();
    await writes.submit({ kind: "restore", taskId: 99 });
    await writes.submit({ kind: "purge", taskId: 98 });
    await writes.submit({ kind: "purge", taskId: 2 }); // live, not in the trash
    network.online = true;
    await writes.replay();
    expect(sent()).toEqual([
      "POST /api/user-1/tasks/99/restore key-1",
      "DELETE /api/user-1/trash/98",
      "DELETE /api/user-1/trash/2",
    ]);
    expect(events).toEqual([]);
    expect(writes.getState().waiting).toBe(0);
  });
});
