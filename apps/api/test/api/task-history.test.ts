import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectProblem } from "../support/problems";
import { createTestServer, type TestServer, type TestUser } from "../support/test-server";

// GET /tasks/{id}/history (decision 039): a task's changes from the change log, oldest first, with
// API field names and values as task JSON shows them.

let server: TestServer;
let user: TestUser;
beforeAll(async () => {
  server = await createTestServer();
  user = await server.signUp();
});
afterAll(() => server.close());

const base = () => `/api/${user.id}/tasks`;
const send = (method: string, path: string, body?: unknown) =>
  server.call(method, path, { token: user.jwt, body });
const historyOf = async (id: number) => {
  const response = await send("GET", `${base()}/${id}/history`);
  expect(response.status).toBe(200);
  return response.body.entries as {
    seq: number;
    at: string;
    op: string;
    changes: { field: string; before: unknown; after: unknown }[];
  }[];
};

describe("GET /tasks/{id}/history", () => {
  it("lists each change with its fields before and after, oldest first", async () => {
    const task = await server.createTask(user, { title: "Draft", tags: ["a"] });
    await send("PUT", `${base()}/${task.id}`, {
      title: "Final",
      due_date: "2026-12-24T18:00:00+01:00",
    });
    const toggled = await send("PATCH", `${base()}/${task.id}/complete`);
    await send("DELETE", `${base()}/${task.id}`);
    await send("POST", `${base()}/${task.id}/restore`);
    const entries = await historyOf(task.id);
    expect(entries.map((e) => e.op)).toEqual(["create", "update", "update", "delete", "restore"]);
    const seqs = entries.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    for (const entry of entries)
      expect(entry.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(entries[0]?.changes).toEqual([
      { field: "title", before: null, after: "Draft" },
      { field: "description", before: null, after: null },
      { field: "priority", before: null, after: "medium" },
      { field: "tags", before: null, after: ["a"] },
      { field: "due_date", before: null, after: null },
      { field: "completed", before: null, after: false },
    ]);
    const byField = (i: number) =>
      Object.fromEntries((entries[i]?.changes ?? []).map((c) => [c.field, [c.before, c.after]]));
    expect(byField(1)).toEqual({
      title: ["Draft", "Final"],
      due_date: [null, "2026-12-24T17:00:00.000Z"],
    });
    expect(byField(2)).toEqual({
      completed: [false, true],
      completed_at: [null, toggled.body.completed_at],
    });
    expect(Object.keys(byField(3))).toEqual(["deleted_at"]);
    expect(byField(3).deleted_at?.[0]).toBeNull();
    expect(Date.parse(String(byField(3).deleted_at?.[1]))).not.toBeNaN();
    expect(byField(4).deleted_at?.[1]).toBeNull();
  });

  it("is readable in the trash and after a purge, and 404 for a task never had", async () => {
    const task = await server.createTask(user);
    await send("DELETE", `${base()}/${task.id}`);
    expect((await historyOf(task.id)).map((e) => e.op)).toEqual(["create", "delete"]);
    await send("DELETE", `/api/${user.id}/trash/${task.id}`);
    const purged = await historyOf(task.id);
    expect(purged.map((e) => e.op)).toEqual(["create", "delete", "purge"]);
    expect(purged[2]?.changes).toEqual([]);
    expectProblem(await send("GET", `${base()}/2147483647/history`), 404);
    expectProblem(await send("GET", `${base()}/0/history`), 404);
  });

  it("answers the last 100 changes, oldest first", async () => {
    const task = await server.createTask(user, { title: "t0" });
    for (let i = 1; i <= 104; i++) await send("PUT", `${base()}/${task.id}`, { title: `t${i}` });
    const entries = await historyOf(task.id);
    expect(entries).toHaveLength(100);
    expect(entries[0]?.changes).toEqual([{ field: "title", before: "t4", after: "t5" }]);
    expect(entries.at(-1)?.changes).toEqual([{ field: "title", before: "t103", after: "t104" }]);
  });
});
