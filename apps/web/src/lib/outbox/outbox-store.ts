import { del, get, update } from "idb-keyval";
import { offlineDatabase } from "../offline-data";
import { namesTask, pointAtServerTask, type QueuedWrite, type ServerTask } from "./queued-write";

/** One user's queued writes, oldest first; every change is atomic (one IndexedDB transaction). */
export interface OutboxStore {
  list(): Promise<QueuedWrite[]>;
  append(write: QueuedWrite): Promise<void>;
  remove(key: string): Promise<void>;
  /**
   * The create queued as `key` (null: sent directly) made `server` for the temporary id
   * `localId`: drops the create, remembers the id and points the writes queued for the
   * temporary id at the server's task.
   */
  settleCreate(key: string | null, localId: number, server: ServerTask): Promise<void>;
  /**
   * The edit queued as `key` took the task from `from` to `to` with nothing else between: drops
   * it, and the later writes made on `from` (on screen they already include it) are made on `to`.
   */
  settleEdit(key: string, taskId: number, from: number, to: number): Promise<void>;
  /** The server's task for a temporary id, once its create was accepted. */
  serverTask(localId: number): Promise<ServerTask | undefined>;
  clear(): Promise<void>;
}

/** What is kept per user: the queue, and the server ids of tasks created from it. */
interface Outbox {
  writes: QueuedWrite[];
  created: Record<string, ServerTask>;
}

/** Temporary ids remembered: far more than a page can show before it reloads. */
const MAX_REMEMBERED = 500;

const outboxDatabase = () => offlineDatabase("outbox");

// Before temporary ids were remembered the entry was the queue alone.
const read = (stored: Outbox | QueuedWrite[] | undefined): Outbox =>
  Array.isArray(stored) ? { writes: stored, created: {} } : (stored ?? { writes: [], created: {} });

function remember(created: Record<string, ServerTask>, localId: number, server: ServerTask) {
  const kept = Object.entries(created).slice(-(MAX_REMEMBERED - 1));
  return { ...Object.fromEntries(kept), [localId]: server };
}

/**
 * The outbox in IndexedDB, one entry per user (decision 038): it survives reloads and is shared by
 * the user's tabs, and another user's writes are never read (nor sent with their token).
 */
export function createIdbOutboxStore(userId: string): OutboxStore {
  const load = async () => read(await get<Outbox | QueuedWrite[]>(userId, outboxDatabase()));
  const change = (fn: (outbox: Outbox) => Outbox) =>
    update<Outbox | QueuedWrite[]>(userId, (stored) => fn(read(stored)), outboxDatabase());
  const changeWrites = (fn: (writes: QueuedWrite[]) => QueuedWrite[]) =>
    change((outbox) => ({ ...outbox, writes: fn(outbox.writes) }));
  return {
    list: async () => (await load()).writes,
    append: (write) => changeWrites((writes) => [...writes, write]),
    remove: (key) => changeWrites((writes) => writes.filter((write) => write.key !== key)),
    settleCreate: (key, localId, server) =>
      change(({ writes, created }) => ({
        writes: writes
          .filter((write) => write.key !== key)
          .map((write) =>
            namesTask(write) && write.taskId === localId ? pointAtServerTask(write, server) : write,
          ),
        created: remember(created, localId, server),
      })),
    settleEdit: (key, taskId, from, to) =>
      changeWrites((writes) =>
        writes
          .filter((write) => write.key !== key)
          .map((write) =>
            "version" in write && write.taskId === taskId && write.version === from
              ? { ...write, version: to }
              : write,
          ),
      ),
    serverTask: async (localId) => (await load()).created[localId],
    clear: () => del(userId, outboxDatabase()),
  };
}
