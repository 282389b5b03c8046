import type { ApiClient } from "../api-client";
import { ApiError, NetworkError, UnauthorizedError, WrongUserError } from "../api-errors";
import type { Task } from "../api-types";
import type { OutboxStore } from "./outbox-store";
import {
  type EditableFields,
  type NewWrite,
  namesTask,
  pointAtServerTask,
  type QueuedWrite,
  type ServerTask,
} from "./queued-write";
import { sendWrite } from "./send-write";

export interface OfflineState {
  /** The browser says it has a network. */
  online: boolean;
  /** Writes in the outbox, not yet accepted by the server. */
  waiting: number;
}

export type OfflineEvent =
  /** A queued or direct edit met a change made elsewhere; the server's value was kept. */
  | { type: "conflict"; task: Task; fields: (keyof EditableFields)[] }
  /** The server refused a queued write for good (422, 404…); it was dropped. */
  | { type: "refused"; write: QueuedWrite; error: unknown }
  /** A task created offline is on the server now: `task` takes the place of `localId`. */
  | { type: "created"; localId: number; task: Task };

/** `queued`: the write waits in the outbox and will be sent when the network allows. */
export type SubmitResult = { queued: false; task?: Task; count?: number } | { queued: true };

export interface OfflineWrites {
  /**
   * Sends a write now, or queues it when offline, when earlier writes still wait (order is
   * kept) or when the network fails on the way.
   */
  submit(write: NewWrite, options?: { keepalive?: boolean }): Promise<SubmitResult>;
  /** Sends the queued writes in order; one run at a time across the user's tabs. */
  replay(): Promise<void>;
  /** Listens to the browser's network events and other tabs; replays what waits. */
  start(): () => void;
  /** Forgets the queued writes (their user is gone). */
  clear(): Promise<void>;
  getState(): OfflineState;
  subscribe(listener: () => void): () => void;
  onEvent(listener: (event: OfflineEvent) => void): () => void;
}

export interface OfflineWritesOptions {
  api: ApiClient;
  userId: string;
  store: OutboxStore;
  isOnline?: () => boolean;
  newKey?: () => string;
  /** Runs `task` alone among the tabs holding the same lock (Web Locks); defaults to navigator.locks. */
  withLock?: (name: string, task: () => Promise<void>) => Promise<void>;
  /** Delay before retrying after a failure that may pass; doubles up to 30 s. */
  retryDelayMs?: number;
}

const MAX_RETRY_DELAY_MS = 30_000;
const CHANNEL = "todo-outbox";

/** Failures that may pass: no network, the server busy or failing, a duplicate still running. */
function isTransient(error: unknown): boolean {
  if (error instanceof NetworkError) return true;
  if (!(error instanceof ApiError)) return false;
  return error.status >= 500 || [408, 409, 429].includes(error.status);
}

const browserLock = (name: string, task: () => Promise<void>): Promise<void> =>
  typeof navigator !== "undefined" && navigator.locks
    ? navigator.locks.request(name, task)
    : task();

/**
 * Writes that work offline (decision 038): an outbox in IndexedDB, replayed in order when the
 * network returns, with a fresh JWT, an Idempotency-Key on creates and If-Match on edits.
 */
export function createOfflineWrites(options: OfflineWritesOptions): OfflineWrites {
  const { api, userId, store } = options;
  const isOnline = options.isOnline ?? (() => navigator.onLine);
  const newKey = options.newKey ?? (() => crypto.randomUUID());
  const withLock = options.withLock ?? browserLock;
  const baseDelay = options.retryDelayMs ?? 1000;

  let state: OfflineState = { online: isOnline(), waiting: 0 };
  const listeners = new Set<() => void>();
  const eventListeners = new Set<(event: OfflineEvent) => void>();
  let running: Promise<void> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = baseDelay;
  let stopped = false;
  let channel: BroadcastChannel | null = null;
  // Creates sent directly and not answered yet, and the server's tasks for temporary ids seen
  // here (the store has them too, for other tabs and after a reload).
  const directCreates = new Map<number, Promise<unknown>>();
  const createdHere = new Map<number, ServerTask>();

  const setState = (next: Partial<OfflineState>) => {
    const merged = { ...state, ...next };
    if (merged.online === state.online && merged.waiting === state.waiting) return;
    state = merged;
    for (const listener of listeners) listener();
  };
  const emit = (event: OfflineEvent) => {
    for (const listener of eventListeners) listener(event);
  };
  // Without IndexedDB (refused, private mode) nothing can wait: writes are sent or fail at once.
  const recount = async () => {
    try {
      setState({ waiting: (await store.list()).length });
    } catch {
      setState({ waiting: 0 });
    }
  };
  const loaded = recount();
  /** Other tabs of this user count the same outbox. */
  const announce = () => channel?.postMessage({ userId });

  /** Queues a write; `cause` is what the caller reports if the outbox cannot take it. */
  const enqueue = async (write: QueuedWrite, cause: unknown) => {
    try {
      await store.append(write);
    } catch {
      throw cause;
    }
    await recount();
    announce();
  };

  const scheduleRetry = (error: unknown) => {
    if (stopped || retryTimer) return;
    const retryAfter = error instanceof ApiError ? error.retryAfterSeconds : null;
    const delay = retryAfter ? retryAfter * 1000 : retryDelay;
    retryDelay = Math.min(retryDelay * 2, MAX_RETRY_DELAY_MS);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void replay();
    }, delay);
  };

  const serverTaskFor = async (localId: number) =>
    createdHere.get(localId) ?? (await store.serverTask(localId).catch(() => undefined));

  /** The create for `localId` is accepted: later writes for the temporary id go to its task. */
  const settleCreate = async (key: string | null, localId: number, task: Task) => {
    const server = { id: task.id, version: task.version };
    createdHere.set(localId, server);
    await store.settleCreate(key, localId, server);
  };

  /** A queued write with a temporary id, pointed at the server's task; null if it has none. */
  const withServerId = async (write: QueuedWrite): Promise<QueuedWrite | null> => {
    if (!namesTask(write) || write.taskId >= 0) return write;
    const server = await serverTaskFor(write.taskId);
    return server ? pointAtServerTask(write, server) : null;
  };

  const reportConflicts = (task: Task | undefined, fields: (keyof EditableFields)[]) => {
    if (task && fields.length > 0) emit({ type: "conflict", task, fields });
  };

  async function drain(): Promise<void> {
    let tokenRefreshed = false;
    for (;;) {
      if (stopped || !isOnline()) return;
      const [head] = await store.list();
      if (!head) return;
      let created: { localId: number; task: Task } | null = null;
      let edited: { taskId: number; from: number; to: number } | null = null;
      try {
        // A token fetched before going offline may be about to expire: start with a new one.
        if (!tokenRefreshed) {
          await api.getToken({ force: true });
          tokenRefreshed = true;
        }
        // Null: a write to a task whose create the server refused (the user was told then).
        const write = await withServerId(head);
        if (write) {
          const sent = await sendWrite(api, userId, write);
          reportConflicts(sent.task, sent.conflicts);
          if (write.kind === "create" && write.localId !== undefined && sent.task)
            created = { localId: write.localId, task: sent.task };
          // Taken on its If-Match, without a merge: the new version is this write's alone.
          if ("version" in write && write.version !== null && sent.task && !sent.merged)
            edited = { taskId: write.taskId, from: write.version, to: sent.task.version };
        }
      } catch (error) {
        if (isTransient(error)) {
          scheduleRetry(error);
          return;
        }
        // The session is over: nothing more can be sent for this user.
        if (error instanceof UnauthorizedError || error instanceof WrongUserError) return;
        emit({ type: "refused", write: head, error });
      }
      retryDelay = baseDelay;
      if (created) {
        await settleCreate(head.key, created.localId, created.task);
        emit({ type: "created", ...created });
      } else if (edited) {
        await store.settleEdit(head.key, edited.taskId, edited.from, edited.to);
      } else {
        await store.remove(head.key);
      }
      await recount();
      announce();
    }
  }

  // A replay asked for while one runs (the network came back as it gave up) runs again after it.
  let requested = false;
  function replay(): Promise<void> {
    requested = true;
    if (running) return running;
    const run = (async () => {
      while (requested) {
        requested = false;
        await withLock(`${CHANNEL}:${userId}`, drain).catch(() => undefined);
      }
    })().finally(() => {
      if (running === run) running = null;
      void recount();
    });
    running = run;
    return run;
  }

  /** A temporary id's writes wait for its create; they need the server's id to be sent. */
  const createWaits = async (localId: number) =>
    (await store.list().catch(() => [])).some(
      (write) => write.kind === "create" && write.localId === localId,
    );

  async function submitWrite(
    submitted: QueuedWrite,
    { keepalive = false }: { keepalive?: boolean } = {},
  ): Promise<SubmitResult> {
    await loaded;
    let write = submitted;
    let mustQueue = false;
    if (namesTask(write) && write.taskId < 0) {
      await directCreates.get(write.taskId);
      // Checked in this order: a create leaves the queue in the same step that records its id.
      if (await createWaits(write.taskId)) mustQueue = true;
      else {
        const server = await serverTaskFor(write.taskId);
        if (!server) throw new ApiError(404, null, null);
        write = pointAtServerTask(write, server);
      }
    }
    if (mustQueue || !isOnline() || state.waiting > 0 || running) {
      await enqueue(write, new NetworkError(new Error("offline, and the outbox is unavailable")));
      void replay();
      return { queued: true };
    }
    try {
      // Sent at once, an edit needs no If-Match: it is made on what the user sees now, and
      // quick edits in a row would otherwise meet 412s until each answer is in. Queued, it
      // keeps its version, so a replay (also of this write, if its answer is lost) is merged.
      const direct =
        write.kind === "update" || write.kind === "complete" ? { ...write, version: null } : write;
      const sent = await sendWrite(api, userId, direct, { keepalive });
      reportConflicts(sent.task, sent.conflicts);
      if (write.kind === "create" && write.localId !== undefined && sent.task)
        await settleCreate(null, write.localId, sent.task).catch(() => undefined);
      return { queued: false, task: sent.task, count: sent.count };
    } catch (error) {
      // No answer: the write may or may not have arrived. Its key and If-Match make sending it
      // again harmless, so it waits in the outbox like any offline write.
      if (!(error instanceof NetworkError)) throw error;
      await enqueue(write, error);
      scheduleRetry(error);
      return { queued: true };
    }
  }

  return {
    submit(newWrite, options) {
      const submitted = submitWrite({ ...newWrite, key: newKey() } as QueuedWrite, options);
      if (newWrite.kind === "create" && newWrite.localId !== undefined) {
        const { localId } = newWrite;
        const answered = submitted
          .catch(() => undefined)
          .finally(() => directCreates.delete(localId));
        directCreates.set(localId, answered);
      }
      return submitted;
    },
    replay,
    start() {
      stopped = false;
      const onOnline = () => {
        setState({ online: true });
        retryDelay = baseDelay;
        void replay();
      };
      const onOffline = () => setState({ online: false });
      window.addEventListener("online", onOnline);
      window.addEventListener("offline", onOffline);
      if (typeof BroadcastChannel !== "undefined") {
        channel = new BroadcastChannel(CHANNEL);
        channel.onmessage = (event: MessageEvent<{ userId?: string }>) => {
          if (event.data?.userId === userId) void recount();
        };
      }
      void loaded.then(() => replay());
      return () => {
        stopped = true;
        window.removeEventListener("online", onOnline);
        window.removeEventListener("offline", onOffline);
        channel?.close();
        channel = null;
        if (retryTimer) clearTimeout(retryTimer);
        retryTimer = null;
      };
    },
    async clear() {
      await store.clear();
      await recount();
    },
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
  };
}
