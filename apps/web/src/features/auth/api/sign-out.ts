import { useCallback, useState } from "react";
import { announceSessionChange } from "@/lib/session-channel";
import { authRequest } from "./auth-request";
import { useSessionStore } from "./session-context";
import type { SessionStore } from "./session-store";

const endOnServer = () => authRequest("sign-out", { method: "POST", body: {} });

/**
 * Signs out; the user's data is only dropped once the server has ended the session. Work that
 * needs the session one last time (pending deletes) runs first.
 */
export async function signOut(store: SessionStore): Promise<void> {
  await store.runBeforeChange();
  await endOnServer();
  store.set(null);
  announceSessionChange();
}

/** A session the API refused: forgotten here at once, ended on the server too (best effort). */
export function endRefusedSession(store: SessionStore): void {
  store.set(null);
  void endOnServer()
    .catch(() => undefined)
    .finally(announceSessionChange);
}

export function useSignOut() {
  const store = useSessionStore();
  const [state, setState] = useState<{ pending: boolean; error: unknown }>({
    pending: false,
    error: null,
  });
  /** Resolves to whether the session ended. */
  const run = useCallback(async () => {
    setState({ pending: true, error: null });
    try {
      await signOut(store);
      setState({ pending: false, error: null });
      return true;
    } catch (error) {
      setState({ pending: false, error });
      return false;
    }
  }, [store]);
  const dismissError = useCallback(() => setState({ pending: false, error: null }), []);
  return { run, isPending: state.pending, error: state.error, dismissError };
}
