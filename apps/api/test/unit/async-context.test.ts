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
  return {
    handler: async (request: Request) =>
      new Response(await during("handler", Number(request.headers.get("ms")))),
    api: { getJwks: (ms: number) => during("getJwks", ms), version: "1.0" },
    options: { name: "auth" },
  };
}

const call = (ms: number) => new Request("http://x/", { headers: { ms: String(ms) } });

describe("releaseAsyncContextBetweenCalls", () => {
  it("disables the stores once the last call in progress has ended, not before", async () => {
    const store = new AsyncLocalStorage<string>();
    const disabled: number[] = [];
    const auth = releaseAsyncContextBetweenCalls(fakeAuth(store), [store], async () => [
      { disable: () => disabled.push(Date.now()) },
    ]);
    const long = auth.handler(call(120)).then((response) => response.text());
    await sleep(20);
    // A short call ends while the long one is in progress: the long one keeps its store.
    expect(await auth.api.getJwks(10)).toBe("getJwks");
    await sleep(20);
    expect(disabled).toEqual([]);
    expect(await long).toBe("handler");
    await sleep(0);
    expect(disabled).toHaveLength(1);
    // A disabled store reads as empty until its next run.
    expect(store.getStore()).toBeUndefined();
    expect(await auth.api.getJwks(5)).toBe("getJwks");
    await sleep(0);
    expect(disabled).toHaveLength(2);
  });

  it("keeps the stores for a call that begins while they are being looked up", async () => {
    const store = new AsyncLocalStorage<string>();
    let disables = 0;
    let lookups = 0;
    const auth = releaseAsyncContextBetweenCalls(fakeAuth(store), [], async () => {
      lookups += 1;
      await sleep(30);
      return [{ disable: () => (disables += 1) }];
    });
    await auth.api.getJwks(1);
    // The release is looking its stores up now; this call begins before it is done.
    const next = auth.api.getJwks(60);
    await sleep(40);
    expect(lookups).toBe(1);
    expect(disables).toBe(0);
    expect(await next).toBe("getJwks");
    await sleep(40);
    expect(disables).toBe(1);
  });

  it("releases after a call that fails, and leaves what is not a function as it is", async () => {
    const store = new AsyncLocalStorage<string>();
    let disables = 0;
    const failing = {
      handler: async (_request: Request): Promise<Response> => {
        throw new Error("database down");
      },
      api: { version: "1.0" },
    };
    const auth = releaseAsyncContextBetweenCalls(
      failing,
      [{ disable: () => (disables += 1) }],
      async () => [],
    );
    await expect(auth.handler(call(0))).rejects.toThrow("database down");
    await sleep(0);
    expect(disables).toBe(1);
    expect(auth.api.version).toBe("1.0");
    const wrapped = releaseAsyncContextBetweenCalls(fakeAuth(store), [], async () => []);
    expect(wrapped.options).toEqual({ name: "auth" });
    // The same wrapper each time: callers may keep a reference to a method.
    expect(wrapped.api.getJwks).toBe(wrapped.api.getJwks);
  });
});
