import { useEffect } from "react";
import { useSessionStore } from "@/features/auth/api/session-context";
import { onSessionChangeElsewhere } from "@/lib/session-channel";

/**
 * Keeps this tab on the same user as the server: reads the session at start, re-reads it when the
 * tab becomes visible or another tab signs in or out. The task screen registers what must happen
 * before the user may change (forget the token, decision 016) and is remounted for a new user.
 */
export function SessionSync() {
  const session = useSessionStore();

  useEffect(() => {
    void session.refresh();
    const onVisible = () => {
      if (document.visibilityState === "visible") void session.refresh();
    };
    const stop = onSessionChangeElsewhere(async () => {
      // The previous user's screen lets go of their token before the session is re-read.
      await session.runBeforeChange();
      await session.refresh();
    });
    // Opened offline on the remembered user (decision 038): confirmed once the network is back.
    const onOnline = () => void session.refresh();
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("online", onOnline);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("online", onOnline);
    };
  }, [session]);

  return null;
}
