import { AsyncLocalStorage } from "node:async_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { releaseAsyncContextBetweenCalls } from "../../src/auth/async-context";

/** A Better Auth stand-in whose calls run `store` around work that lasts `ms` milliseconds. */
function fakeAuth(store: AsyncLocalStorage<string>) {
  const during = (name: string, ms: number) =>
    store.run(name, async () => {
      await sleep(ms);
      // Read after the wait, in a continuation: only the promise hook carries the store here.
      return store.getStore();
    });
  const handler = async (request: Request) =>
    new Response(await during("handler", Number(request.headers.get("ms"))));
  // Better Auth hangs its route on each endpoint function.
  const getJwks = Object.assign((ms: number) => during("getJwks", ms), { path: "/jwks" });
  return { handler, fetch: handler, api: { getJwks, version: "1.0" }, options: { name: "auth" } };
}

const call = (ms: number) => new Request("http://x/", { headers: { ms: String(ms) } });

/** A store that counts how often it was disabled. */
const countingStore = () => {
  const store = { disables: 0, disable: () => void store.disables++ };
  return store;
};

describe("releaseAsyncContextBetweenCalls", () => {
  it("disables the stores once the last call in progress has ended, not before", async () => {
    const store = new AsyncLocalStorage<string>();
    const found = countingStore();
    const auth = releaseAsyncContextBetweenCalls(fakeAuth(store), [store], async () => [found]);
    const long = auth.handler(call(120)).then((response) => response.text());
    await sleep(20);
    // A short call ends while the long one is in progress: the long one keeps its store.
    expect(await auth.api.getJwks(10)).toBe("getJwks");
    await sleep(20);
    expect(found.disables).toBe(0);
    expect(await long).toBe("handler");
    await sleep(0);
    expect(found.disables).toBe(1);
    // A disabled store reads as empty until its next run.
    expect(store.getStore()).toBeUndefined();
    // `fetch`, Better Auth's other name for the handler, counts too.
    expect(await (await auth.fetch(call(5))).text()).toBe("handler");
    await sleep(0);
    expect(found.disables).toBe(2);
  });

  it("counts the calls of every instance in the process: one's last call leaves another's stores on", async () => {
    const first = countingStore();
    const second = countingStore();
    const one = releaseAsyncContextBetweenCalls(
      fakeAuth(new AsyncLocalStorage()),
      [first],
      async () => [],
    );
    const other = releaseAsyncContextBetweenCalls(
      fakeAuth(new AsyncLocalStorage()),
      [second],
      async () => [],
    );
    const long = one.api.getJwks(80);
    await other.api.getJwks(5);
    await sleep(10);
    expect([first.disables, second.disables]).toEqual([0, 0]);
    await long;
    await sleep(0);
    // Both instances' stores go off together, once no call of either is in progress.
    expect([first.disables, second.disables]).toEqual([1, 1]);
  });

  it("keeps the stores for a call that begins while they are being looked up", async () => {
    const store = new AsyncLocalStorage<string>();
    const found = countingStore();
    let lookups = 0;
    const auth = releaseAsyncContextBetweenCalls(fakeAuth(store), [], async () => {
      lookups += 1;
      await sleep(30);
      return [found];
    });
    await auth.api.getJwks(1);
    // The release is looking its stores up now; this call begins before it is done.
    const next = auth.api.getJwks(60);
    await sleep(40);
    expect(lookups).toBe(1);
    expect(found.disables).toBe(0);
    expect(await next).toBe("getJwks");
    await sleep(40);
    expect(found.disables).toBe(1);
  });

  it("releases after a call that fails; a failed look-up leaves the stores on", async () => {
    const own = countingStore();
    const failing = {
      handler: async (_request: Request): Promise<Response> => {
        throw new Error("database down");
      },
      api: { version: "1.0" },
    };
    const auth = releaseAsyncContextBetweenCalls(failing, [own], async () => []);
    await expect(auth.handler(call(0))).rejects.toThrow("database down");
    await sleep(0);
    expect(own.disables).toBe(1);
    const unlucky = releaseAsyncContextBetweenCalls(failing, [], () =>
      Promise.reject(new Error("no stores")),
    );
    // No unhandled rejection (vitest fails a run that has one), and nothing disabled.
    await expect(unlucky.handler(call(0))).rejects.toThrow("database down");
    await sleep(10);
    expect(own.disables).toBe(1);
  });

  it("leaves what is not a function as it is, and keeps what hangs on an endpoint", async () => {
    const wrapped = releaseAsyncContextBetweenCalls(
      fakeAuth(new AsyncLocalStorage()),
      [],
      async () => [],
    );
    expect(wrapped.options).toEqual({ name: "auth" });
    expect(wrapped.api.version).toBe("1.0");
    expect(wrapped.api.getJwks.path).toBe("/jwks");
    // The same wrapper each time: callers may keep a reference to a method.
    expect(wrapped.api.getJwks).toBe(wrapped.api.getJwks);
    expect(wrapped.handler).toBe(wrapped.handler);
  });
});
