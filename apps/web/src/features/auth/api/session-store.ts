import { NetworkError } from "@/lib/api-errors";
import { AuthError } from "../utils/auth-error";
import { getSession, type Session } from "./get-session";
import { readRememberedSession, rememberSession } from "./remembered-session";

export type SessionState =
  | { status: "pending" }
  /** Never loaded: nothing to show but the error. */
  | { status: "failed"; error: unknown }
  /** Loaded; `error` is set when the latest re-check failed (what is shown stays). */
  | { status: "ready"; session: Session | null; error: unknown };

export interface SessionStore {
  getState(): SessionState;
  subscribe(listener: () => void): () => void;
  /**
   * Re-reads the session from the server; calls made meanwhile share one request. `fresh` (after
   * signing in or up) starts a new one: a read already in flight may predate the new session.
   */
  refresh(options?: { fresh?: boolean }): Promise<void>;
  /** Sets the session known without asking (signed out, or refused by the API). */
  set(session: Session | null): void;
  /**
   * Registers work that needs the current session one last time before it ends or may change
   * (pending deletes, sent with the deleting user's token: decision 016).
   */
  beforeChange(hook: () => Promise<unknown>): () => void;
  runBeforeChange(): Promise<void>;
}

/** Worth a second try: no answer, or the server failing. */
const retryable = (error: unknown) =>
  error instanceof NetworkError || (error instanceof AuthError && error.status >= 500);

/**
 * The signed-in user, outside React and outside TanStack Query, so that the sign-in screen does
 * not need the query library (decision 023). Components read it with `useSession`.
 */
export function createSessionStore({ retryDelayMs = 1000 } = {}): SessionStore {
  let state: SessionState = { status: "pending" };
  let inflight: Promise<void> | null = null;
  // Bumped by `set`: a re-check that started before it must not bring back what it replaced.
  let generation = 0;
  const listeners = new Set<() => void>();
  const hooks = new Set<() => Promise<unknown>>();

  const update = (next: SessionState) => {
    state = next;
    if (next.status === "ready") rememberSession(next.session);
    for (const listener of listeners) listener();
  };

  const load = async () => {
    try {
      return await getSession();
    } catch (error) {
      if (!retryable(error)) throw error;
      // Offline, there is no point waiting: open on the user remembered (decision 038).
      if (error instanceof NetworkError && !navigator.onLine && firstLoad()) {
        const remembered = readRememberedSession();
        if (remembered) return remembered;
      }
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
      return getSession();
    }
  };
  /** Nothing shown yet: a remembered session may stand in for one the server cannot confirm. */
  const firstLoad = () => state.status !== "ready";

  return {
    getState: () => state,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    refresh({ fresh = false } = {}) {
      if (inflight && !fresh) return inflight;
      if (fresh) generation += 1;
      const started = generation;
      const request: Promise<void> = load()
        .then(
          (session) => {
            if (started === generation) update({ status: "ready", session, error: null });
          },
          (error: unknown) => {
            if (started !== generation) return;
            if (state.status === "ready") return update({ ...state, error });
            // The server is unreachable at start: the last user's data, kept in this browser,
            // is shown with the error (a banner offers to try again).
            const remembered = error instanceof NetworkError ? readRememberedSession() : null;
            update(
              remembered
                ? { status: "ready", session: remembered, error }
                : { status: "failed", error },
            );
          },
        )
        .finally(() => {
          if (inflight === request) inflight = null;
        });
      inflight = request;
      return request;
    },
    set(session) {
      generation += 1;
      inflight = null;
      update({ status: "ready", session, error: null });
    },
    beforeChange(hook) {
      hooks.add(hook);
      return () => hooks.delete(hook);
    },
    async runBeforeChange() {
      await Promise.all([...hooks].map((hook) => hook()));
    },
  };
}
