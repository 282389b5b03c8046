import { del, get, update } from "idb-keyval";
import { offlineDatabase } from "../offline-data";
import type { QueuedWrite } from "./queued-write";

/** One user's queued writes, oldest first; every change is atomic (one IndexedDB transaction). */
export interface OutboxStore {
  list(): Promise<QueuedWrite[]>;
  append(write: QueuedWrite): Promise<void>;
  remove(key: string): Promise<void>;
  clear(): Promise<void>;
}

const outboxDatabase = () => offlineDatabase("outbox");

/**
 * The outbox in IndexedDB, one entry per user (decision 038): it survives reloads and is shared by
 * the user's tabs, and another user's writes are never read (nor sent with their token).
 */
export function createIdbOutboxStore(userId: string): OutboxStore {
  const change = (fn: (writes: QueuedWrite[]) => QueuedWrite[]) =>
    update<QueuedWrite[]>(userId, (writes) => fn(writes ?? []), outboxDatabase());
  return {
    list: async () => (await get<QueuedWrite[]>(userId, outboxDatabase())) ?? [],
    append: (write) => change((writes) => [...writes, write]),
    remove: (key) => change((writes) => writes.filter((write) => write.key !== key)),
    clear: () => del(userId, outboxDatabase()),
  };
}
