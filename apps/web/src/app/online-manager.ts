import { onlineManager } from "@tanstack/react-query";
import type { OfflineWrites } from "@/lib/outbox/offline-writes";

/**
 * TanStack Query counts as online only when the browser is and no queued write waits (decision
 * 038). Refetches (on reconnect, after a change) then run after the outbox has been replayed, so
 * the server's answer already holds the user's offline changes and nothing on screen flips back.
 * Returns the function that restores the browser's own online state.
 */
export function followOfflineWrites(writes: OfflineWrites): () => void {
  onlineManager.setEventListener((setOnline) => {
    const update = () => {
      const { online, waiting } = writes.getState();
      setOnline(online && waiting === 0);
    };
    update();
    return writes.subscribe(update);
  });
  return () =>
    onlineManager.setEventListener((setOnline) => {
      const online = () => setOnline(true);
      const offline = () => setOnline(false);
      setOnline(navigator.onLine);
      window.addEventListener("online", online);
      window.addEventListener("offline", offline);
      return () => {
        window.removeEventListener("online", online);
        window.removeEventListener("offline", offline);
      };
    });
}
