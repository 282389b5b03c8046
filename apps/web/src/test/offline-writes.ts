import { afterEach } from "vitest";
import { createApiClient } from "@/lib/api-client";
import { createOfflineWrites, type OfflineEvent } from "@/lib/outbox/offline-writes";
import { createIdbOutboxStore } from "@/lib/outbox/outbox-store";
import type { createFakeApi } from "./fake-api";

// Every instance is stopped after its test, so no retry timer outlives it.
const stops: (() => void)[] = [];
afterEach(() => {
  for (const stop of stops.splice(0)) stop();
});

/**
 * One user's offline writes over the fake API, with a network switch the test controls,
 * predictable keys (`key-1`, `key-2`…) and quick retries. `open()` starts another instance on the
 * same outbox, as a reloaded page would.
 */
export function offlineWritesOver(server: ReturnType<typeof createFakeApi>) {
  const network = { online: false };
  const api = createApiClient({
    fetch: (input, init) =>
      network.online ? server.fetch(input, init) : Promise.reject(new TypeError("Failed to fetch")),
  });
  let keys = 0;
  const open = () => {
    const writes = createOfflineWrites({
      api,
      userId: "user-1",
      store: createIdbOutboxStore("user-1"),
      isOnline: () => network.online,
      newKey: () => `key-${++keys}`,
      retryDelayMs: 5,
    });
    stops.push(writes.start());
    return writes;
  };
  const writes = open();
  const events: OfflineEvent[] = [];
  writes.onEvent((event) => events.push(event));
  return { network, api, writes, open, events };
}
