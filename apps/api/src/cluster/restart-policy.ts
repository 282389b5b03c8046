/**
 * When a cluster worker dies while the server runs, the primary starts another (decision 026).
 * A worker that keeps dying must neither spin (fork, crash, fork…) nor be retried for ever: each
 * exit within the last minute doubles the wait before the next start, and past a cap the primary
 * gives up and exits 1, so that what supervises it (Docker's restart policy, systemd, Kubernetes)
 * sees a failed server instead of one that looks up and is not.
 */

/** Unexpected exits are counted over this window. */
export const CRASH_WINDOW_MS = 60_000;
/** More unexpected exits than this within the window is a crash loop: the primary gives up. */
export const MAX_CRASHES_IN_WINDOW = 10;
/** The wait before replacing the first worker to die in a window; it doubles with each one after. */
export const FIRST_RESTART_DELAY_MS = 100;
export const MAX_RESTART_DELAY_MS = 10_000;

export type RestartDecision =
  | { restart: true; delayMs: number; crashes: number }
  | { restart: false; crashes: number };

/** Returns a function to call on each unexpected exit; it says whether and when to replace it. */
export function createRestartPolicy(
  options: {
    windowMs?: number;
    maxCrashes?: number;
    firstDelayMs?: number;
    maxDelayMs?: number;
  } = {},
): (now?: number) => RestartDecision {
  const windowMs = options.windowMs ?? CRASH_WINDOW_MS;
  const maxCrashes = options.maxCrashes ?? MAX_CRASHES_IN_WINDOW;
  const firstDelayMs = options.firstDelayMs ?? FIRST_RESTART_DELAY_MS;
  const maxDelayMs = options.maxDelayMs ?? MAX_RESTART_DELAY_MS;
  const exits: number[] = [];
  return (now = Date.now()) => {
    while (exits.length > 0 && now - (exits[0] ?? now) >= windowMs) exits.shift();
    exits.push(now);
    const crashes = exits.length;
    if (crashes > maxCrashes) return { restart: false, crashes };
    return {
      restart: true,
      delayMs: Math.min(firstDelayMs * 2 ** (crashes - 1), maxDelayMs),
      crashes,
    };
  };
}
