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
 * Per process, like Better Auth's stores: calls through every wrapped instance count, so that one
 * instance's last call does not disable the stores another's calls are using (the tests run several
 * servers in one process).
 */
let inProgress = 0;
const ownStores = new Set<Store>();

/**
 * Disables every store once no call is in progress. A call may begin while the stores are looked
 * up: it needs them, so the count is read again after. If the look-up fails, the stores stay on:
 * slower, never wrong.
 */
function release(lookUp: () => Promise<Store[]>): void {
  lookUp()
    .then((found) => {
      if (inProgress === 0) for (const store of [...ownStores, ...found]) store.disable();
    })
    .catch(() => {});
}

/**
 * Node 20's AsyncLocalStorage turns on a process-wide promise hook the first time a store runs,
 * and leaves it on: from then on every promise the process makes pays for it, on the task routes
 * too, which use no store (decision 045). Better Auth runs its stores on each of its calls, and
 * so does the code around them that owns `stores`. So this counts the calls in progress through
 * the returned auth, and when none is left, disables every one of those stores, which turns the
 * hook off; the next call's `run()` turns it on again. Every call into Better Auth must go through
 * the returned object (`handler`, `fetch`, every function of `api`): a call made around it (or
 * through `$context`'s internals) could lose its stores midway.
 */
export function releaseAsyncContextBetweenCalls<Auth extends { api: object }>(
  auth: Auth,
  stores: Store[],
  lookUp: () => Promise<Store[]> = betterAuthStores,
): Auth {
  for (const store of stores) ownStores.add(store);
  const counted = (call: (...args: unknown[]) => unknown, self: object) =>
    // Keeps what Better Auth hangs on its endpoints (`path`, `options`).
    Object.assign(async (...args: unknown[]) => {
      inProgress += 1;
      try {
        return await call.apply(self, args);
      } finally {
        inProgress -= 1;
        if (inProgress === 0) release(lookUp);
      }
    }, call);
  /** `target` whose function-valued properties are counted calls; `instead` replaces some. */
  const countedProperties = <Target extends object>(
    target: Target,
    instead = new Map<PropertyKey, unknown>(),
  ): Target => {
    const wrapped = new Map<PropertyKey, unknown>(instead);
    return new Proxy<object>(target, {
      get(object, name, receiver) {
        const value: unknown = Reflect.get(object, name, receiver);
        if (typeof value !== "function" && !instead.has(name)) return value;
        if (!wrapped.has(name)) {
          wrapped.set(name, counted(value as (...args: unknown[]) => unknown, object));
        }
        return wrapped.get(name);
      },
    }) as Target;
  };
  return countedProperties(auth, new Map([["api", countedProperties(auth.api)]]));
}
