import { createStore, type UseStore } from "idb-keyval";
import { OFFLINE_DATABASES, type OfflineDatabaseName } from "./offline-databases";

const opened = new Map<OfflineDatabaseName, UseStore>();

/** The idb-keyval store of one offline database, opened on first use (decision 038). */
export function offlineDatabase(name: OfflineDatabaseName): UseStore {
  let store = opened.get(name);
  if (!store) {
    const { database, store: objectStore } = OFFLINE_DATABASES[name];
    store = createStore(database, objectStore);
    opened.set(name, store);
  }
  return store;
}

export const hasIndexedDb = () => typeof indexedDB !== "undefined";
