import { act } from "@testing-library/react";
import { vi } from "vitest";

/**
 * A network the test switches off and on: while down, requests fail as a browser's do without a
 * network, and `setOnline` tells the app (navigator.onLine and the window's events) as the browser
 * does.
 */
export function createNetwork(fetch: typeof globalThis.fetch) {
  const state = { up: true };
  return {
    fetch: ((input, init) =>
      state.up
        ? fetch(input, init)
        : Promise.reject(new TypeError("Failed to fetch"))) as typeof globalThis.fetch,
    setOnline(online: boolean) {
      state.up = online;
      act(() => {
        vi.spyOn(navigator, "onLine", "get").mockReturnValue(online);
        window.dispatchEvent(new Event(online ? "online" : "offline"));
      });
    },
  };
}
