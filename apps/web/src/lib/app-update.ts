/**
 * Whether a new version of the web app is installed and waiting (decision 038). The service
 * worker registration (app/register-service-worker.ts) fills it; the shell's prompt reads it.
 * Kept apart from the registration so the prompt and its tests need no service worker.
 */
type Listener = () => void;

let waiting: { reload: () => Promise<void> } | null = null;
const listeners = new Set<Listener>();

export const appUpdate = {
  /** A new version is ready; `reload` activates it and reloads the page. */
  offer(reload: () => Promise<void>): void {
    waiting = { reload };
    for (const listener of listeners) listener();
  },
  dismiss(): void {
    waiting = null;
    for (const listener of listeners) listener();
  },
  getSnapshot: () => waiting,
  subscribe(listener: Listener): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};
