import type { PersistedClient, Persister } from "@tanstack/react-query-persist-client";
import { del, get, set } from "idb-keyval";
import { hasIndexedDb, offlineDatabase } from "./offline-data";

/**
 * Changes come in bursts (an optimistic update, then the refetch): they are saved together,
 * soon enough that a reload right after a change still finds it.
 */
const SAVE_INTERVAL_MS = 100;

/**
 * Keeps one user's TanStack Query cache in IndexedDB (decision 038), so a reload without a
 * network still shows their tasks. `isActive` turns saving off once the user's screen is gone, so
 * a save still waiting cannot bring back data that sign-out has just deleted.
 */
export function createQueryPersister(userId: string, isActive: () => boolean): Persister {
  const database = () => offlineDatabase("query-cache");
  let latest: PersistedClient | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = async () => {
    timer = null;
    const client = latest;
    latest = null;
    if (client && isActive() && hasIndexedDb()) await set(userId, client, database());
  };
  // A reload right after a change must find it saved: the page going away saves at once.
  const saveNow = () => {
    if (timer) clearTimeout(timer);
    void save();
  };
  let listening = false;
  return {
    persistClient: (client) => {
      latest = client;
      if (!listening && typeof window !== "undefined") {
        listening = true;
        window.addEventListener("pagehide", saveNow);
      }
      timer ??= setTimeout(() => void save(), SAVE_INTERVAL_MS);
    },
    restoreClient: async () =>
      hasIndexedDb() ? await get<PersistedClient>(userId, database()) : undefined,
    removeClient: async () => {
      if (hasIndexedDb()) await del(userId, database());
    },
  };
}
