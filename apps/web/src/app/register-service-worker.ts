import { registerSW } from "virtual:pwa-register";
import { appUpdate } from "@/lib/app-update";

/** How often an open tab asks the server for a newer service worker. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * Registers the service worker built by vite-plugin-pwa (decision 038), after the page has
 * loaded so it does not compete with the first load. A new version never takes over by itself:
 * the prompt offers "Reload", which activates the waiting worker and reloads the page.
 */
export function registerServiceWorker(): void {
  // The dev server builds no worker (and a cached shell would hide hot reloads).
  if (import.meta.env.DEV || !("serviceWorker" in navigator)) return;
  const update = registerSW({
    onNeedRefresh: () => appUpdate.offer(() => update(true)),
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      setInterval(() => {
        if (navigator.onLine) void registration.update().catch(() => undefined);
      }, UPDATE_CHECK_MS);
    },
  });
}
