import { setImmediate as nextTurn } from "node:timers/promises";
import {
  getCurrentAuthContextAsyncLocalStorage,
  getCurrentDBAdapterAsyncLocalStorage,
  getRequestStateAsyncLocalStorage,
} from "@better-auth/core/context";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../support/test-server";

/**
 * Between Better Auth's calls its async-context stores are off, so that Node 20's promise hook is
 * off on the task routes (decision 045), and calls that overlap keep theirs until the last ends.
 */

let server: TestServer;

beforeAll(async () => {
  server = await createTestServer();
});

afterAll(() => server.close());

/** Node 20's stores say whether they are on (and with it the promise hook) in `enabled`. */
const storesOn = async () =>
  (
    await Promise.all([
      getCurrentAuthContextAsyncLocalStorage(),
      getRequestStateAsyncLocalStorage(),
      getCurrentDBAdapterAsyncLocalStorage(),
    ])
  ).filter((store) => (store as unknown as { enabled: boolean }).enabled);

/**
 * Whether a promise hook is on: Node 20 marks each promise it tracks with symbol-keyed fields
 * (async ids, and the stores). Any store left on, Better Auth's or ours, would keep it on.
 */
const promiseHookOn = () => Object.getOwnPropertySymbols(Promise.resolve()).length > 0;

describe("async context between Better Auth's calls", () => {
  it("is off once overlapping sign-ups, sign-ins and token requests have all ended, each with its stores", async () => {
    const users = await Promise.all(
      Array.from({ length: 12 }, (_, index) => server.signUp(`Overlap ${index}`)),
    );
    const signIns = await Promise.all(
      users.map((user) =>
        server.request("/api/auth/sign-in/email", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ email: user.email, password: user.password }),
        }),
      ),
    );
    expect(signIns.map((response) => response.status)).toEqual(users.map(() => 200));
    expect(await storesOn()).toEqual([]);
    // Turning the hook off takes effect from the next turn of the event loop.
    await nextTurn();
    expect(promiseHookOn()).toBe(false);

    // The task routes work with the stores off, and do not turn them on.
    const [first] = users;
    if (!first) throw new Error("no user");
    const created = await server.createTask(first, { title: "with the hook off" });
    expect(created.title).toBe("with the hook off");
    const list = await server.call("GET", `/api/${first.id}/tasks`, { token: first.jwt });
    expect(list.body).toHaveLength(1);
    expect(await storesOn()).toEqual([]);
    await nextTurn();
    expect(promiseHookOn()).toBe(false);
  });

  it("stays on for one server's calls while another server's calls end (servers share the stores)", async () => {
    const other = await createTestServer();
    try {
      for (let round = 0; round < 5; round++) {
        const [users] = await Promise.all([
          Promise.all(
            Array.from({ length: 8 }, (_, index) => server.signUp(`Two ${round}.${index}`)),
          ),
          Promise.all(Array.from({ length: 8 }, () => other.auth.api.getJwks())),
        ]);
        expect(users.every((user) => user.jwt.split(".").length === 3)).toBe(true);
      }
    } finally {
      await other.close();
    }
    await nextTurn();
    expect(promiseHookOn()).toBe(false);
  });
});
