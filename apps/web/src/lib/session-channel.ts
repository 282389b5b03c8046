/**
 * Tells the app's other tabs that the signed-in user changed (sign-in, sign-up, sign-out), so
 * they drop the previous user's data at once instead of at their next request. A channel also
 * hears other channels of the same page, so each message carries the sending tab's id.
 */
const CHANNEL = "todo-session";
const tabId = `${Date.now()}-${Math.random()}`;

export function announceSessionChange(): void {
  if (typeof BroadcastChannel === "undefined") return;
  const channel = new BroadcastChannel(CHANNEL);
  channel.postMessage({ type: "session-changed", from: tabId });
  channel.close();
}

export function onSessionChangeElsewhere(listener: () => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data === "object" && data !== null && "from" in data && data.from !== tabId) {
      listener();
    }
  };
  return () => channel.close();
}
