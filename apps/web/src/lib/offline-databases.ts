/**
 * Where the web app keeps a user's data for offline use (decision 038): the query cache and the
 * outbox of writes not yet sent, each an IndexedDB database with one object store, keyed by
 * user id, so one user never reads another's.
 */
export const OFFLINE_DATABASES = {
  "query-cache": { database: "todo-query-cache", store: "clients" },
  outbox: { database: "todo-outbox", store: "writes" },
} as const;

export type OfflineDatabaseName = keyof typeof OFFLINE_DATABASES;

function deleteEntry(database: string, store: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(database);
    // Created as idb-keyval creates it, so that its later use finds the store.
    open.onupgradeneeded = () => open.result.createObjectStore(store);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const transaction = db.transaction(store, "readwrite");
      transaction.objectStore(store).delete(key);
      transaction.oncomplete = () => {
        db.close();
        resolve();
      };
      transaction.onerror = () => {
        db.close();
        reject(transaction.error);
      };
    };
  });
}

/**
 * Deletes everything kept for `userId` (they signed out, or another user signed in). Plain
 * IndexedDB: it runs in the shell, which has no room for a library (decision 023).
 */
export async function forgetOfflineData(userId: string): Promise<void> {
  if (typeof indexedDB === "undefined") return;
  await Promise.all(
    Object.values(OFFLINE_DATABASES).map(({ database, store }) =>
      deleteEntry(database, store, userId),
    ),
  );
}
