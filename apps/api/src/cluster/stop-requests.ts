/**
 * How a cluster primary asks its workers to drain and exit (decision 026): a message on the IPC
 * channel, not a signal. A terminal's Ctrl-C, or systemd's stop, signals every process of the group
 * at once; a forwarded signal would then be a worker's second one, which means "exit 1 now".
 */
export const STOP_MESSAGE = "hackathon-todo:stop";

/**
 * In a worker: listens from the start, so that a request that comes while the worker is still
 * starting is kept and acted on once the server can shut down.
 */
export function listenForStopRequests(): { onStop(stop: () => void): void } {
  let asked = false;
  let stop: (() => void) | undefined;
  process.on("message", (message) => {
    if (message !== STOP_MESSAGE) return;
    asked = true;
    stop?.();
  });
  return {
    onStop: (handler) => {
      stop = handler;
      if (asked) handler();
    },
  };
}
