import { createStore, del, type UseStore } from "idb-keyval";

/**
 * What the web app keeps of a user in this browser for offline use (decision 038): the query
 * cache (`query-cache`) and the outbox of writes not yet sent (`outbox`), each in its own
 * IndexedDB database, keyed by user id, so one user never reads another's.
 */
const databases: Record<"query-cache" | "outbox", [string, string]> = {
  "query-cache": ["todo-query-cache", "clients"],
  outbox: ["todo-outbox", "writes"],
};
const opened = new Map<string, UseStore>();

/** Opened on first use: importing this module touches no IndexedDB. */
export function offlineDatabase(name: keyof typeof databases): UseStore {
  let store = opened.get(name);
  if (!store) {
    const [database, objectStore] = databases[name];
    store = createStore(database, objectStore);
    opened.set(name, store);
  }
  return store;
}

export const hasIndexedDb = () => typeof indexedDB !== "undefined";

/** Deletes everything kept for `userId` (they signed out, or another user signed in). */
export async function forgetOfflineData(userId: string): Promise<void> {
  if (!hasIndexedDb()) return;
  await Promise.all(
    (Object.keys(databases) as (keyof typeof databases)[]).map((name) =>
      del(userId, offlineDatabase(name)),
    ),
  );
}
