import { get, set } from "idb-keyval";
import { afterEach, describe, expect, it, vi } from "vitest";
import { offlineDatabase } from "@/lib/offline-data";
import { json } from "@/test/fake-api";
import { createSessionStore } from "./session-store";

const ann = { session: { id: "s1" }, user: { id: "u1", name: "Ann", email: "ann@example.com" } };
const bob = { session: { id: "s2" }, user: { id: "u2", name: "Bob", email: "bob@example.com" } };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the remembered session (offline start)", () => {
  it("opens on the last user when the first read finds no network, without waiting", async () => {
    vi.stubGlobal("fetch", async () => json(ann));
    await createSessionStore().refresh();

    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    vi.spyOn(navigator, "onLine", "get").mockReturnValue(false);
    // A retry delay the test would notice: offline, the remembered user is used at once.
    const store = createSessionStore({ retryDelayMs: 60_000 });
    await store.refresh();
    expect(store.getState()).toMatchObject({
      status: "ready",
      session: { user: { id: "u1", name: "Ann" } },
    });
  });

  it("still fails a first read without network when nobody was signed in", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("Failed to fetch");
    });
    const store = createSessionStore({ retryDelayMs: 0 });
    await store.refresh();
    expect(store.getState()).toMatchObject({ status: "failed" });
  });

  it("deletes the previous user's offline data when the session ends or changes", async () => {
    vi.stubGlobal("fetch", async () => json(ann));
    const store = createSessionStore();
    await store.refresh();
    await set("u1", { tasks: "Ann's" }, offlineDatabase("query-cache"));
    await set("u1", [{ key: "k" }], offlineDatabase("outbox"));

    vi.stubGlobal("fetch", async () => json(bob));
    await store.refresh();
    await vi.waitFor(async () => {
      expect(await get("u1", offlineDatabase("query-cache"))).toBeUndefined();
      expect(await get("u1", offlineDatabase("outbox"))).toBeUndefined();
    });
    expect(JSON.parse(localStorage.getItem("todo-session") ?? "null")).toMatchObject({
      user: { id: "u2" },
    });

    store.set(null);
    expect(localStorage.getItem("todo-session")).toBeNull();
  });
});
