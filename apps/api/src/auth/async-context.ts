import type { AsyncLocalStorage } from "node:async_hooks";
import {
  getCurrentAuthContextAsyncLocalStorage,
  getCurrentDBAdapterAsyncLocalStorage,
  getRequestStateAsyncLocalStorage,
} from "@better-auth/core/context";

type Store = Pick<AsyncLocalStorage<unknown>, "disable">;

/** Better Auth's own stores: one set per process, whatever the number of its instances. */
const betterAuthStores = (): Promise<Store[]> =>
  Promise.all([
    getCurrentAuthContextAsyncLocalStorage(),
    getRequestStateAsyncLocalStorage(),
    getCurrentDBAdapterAsyncLocalStorage(),
  ]);

/**
 * Node 20's AsyncLocalStorage turns on a process-wide promise hook the first time a store runs,
 * and leaves it on: from then on every promise the process makes pays for it, on the task routes
 * too, which use no store (decision 045). Better Auth runs its stores on each of its calls, and
 * so does `ownStores`' code around them. So this counts the calls in progress through the returned
 * auth, and when none is left, disables every one of those stores, which turns the hook off; the
 * next call's `run()` turns it on again. Every call into Better Auth must go through the returned
 * object (its `handler` and `api`): a call made around it could lose its stores midway.
 */
export function releaseAsyncContextBetweenCalls<
  Auth extends { handler: (request: Request) => Promise<Response>; api: object },
>(auth: Auth, ownStores: Store[], stores: () => Promise<Store[]> = betterAuthStores): Auth {
  let inProgress = 0;
  const release = async () => {
    const all = [...ownStores, ...(await stores())];
    // A call may have begun while the stores were looked up: it needs them.
    if (inProgress === 0) for (const store of all) store.disable();
  };
  const counted =
    <Args extends unknown[], Result>(call: (...args: Args) => Result) =>
    async (...args: Args): Promise<Awaited<Result>> => {
      inProgress += 1;
      try {
        return await call(...args);
      } finally {
        inProgress -= 1;
        if (inProgress === 0) void release();
      }
    };
  const wrapped = new Map<PropertyKey, unknown>();
  const api = new Proxy(auth.api, {
    get(target, name, receiver) {
      const value = Reflect.get(target, name, receiver);
      if (typeof value !== "function") return value;
      if (!wrapped.has(name)) wrapped.set(name, counted(value.bind(target)));
      return wrapped.get(name);
    },
  });
  const handler = counted(auth.handler);
  return new Proxy(auth, {
    get(target, name, receiver) {
      if (name === "handler") return handler;
      if (name === "api") return api;
      return Reflect.get(target, name, receiver);
    },
  });
}
