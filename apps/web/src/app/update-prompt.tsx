import { useSyncExternalStore } from "react";
import { appUpdate } from "@/lib/app-update";

/** "A new version is ready — Reload": shown once a new service worker waits (decision 038). */
export function UpdatePrompt() {
  const waiting = useSyncExternalStore(appUpdate.subscribe, appUpdate.getSnapshot);
  if (!waiting) return null;
  return (
    <div className="banner update-prompt" role="status">
      <span>A new version is ready.</span>
      <button type="button" className="button button-small" onClick={() => void waiting.reload()}>
        Reload
      </button>
      <button type="button" className="button button-small" onClick={() => appUpdate.dismiss()}>
        Later
      </button>
    </div>
  );
}
