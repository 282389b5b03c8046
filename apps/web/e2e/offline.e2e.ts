import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  baseUrl,
  eventually,
  launchChromium,
  openPage,
  seedTasks,
  signUp,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";

/** The keys and values of one IndexedDB object store of the page's origin. */
function readIndexedDb(page: Page, database: string, store: string) {
  return page.evaluate(
    ([name, objectStore]) =>
      new Promise<{ keys: string[]; json: string }>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onupgradeneeded = () => open.result.createObjectStore(objectStore);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(objectStore, "readonly");
          const keys = tx.objectStore(objectStore).getAllKeys();
          const values = tx.objectStore(objectStore).getAll();
          tx.oncomplete = () => {
            db.close();
            resolve({ keys: keys.result.map(String), json: JSON.stringify(values.result) });
          };
        };
      }),
    [database, store] as const,
  );
}

/** The user's tasks (`tasks` or `trash`) as the server has them, read with the page's session. */
async function serverTasks(page: Page, list: "tasks" | "trash" = "tasks") {
  const tasks = await page.evaluate(async (path) => {
    const session = await (await fetch("/api/auth/get-session")).json();
    const { token } = await (await fetch("/api/auth/token")).json();
    const response = await fetch(`/api/${session.user.id}/${path}?limit=200`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    return (await response.json()) as { title: string; completed: boolean }[];
  }, list);
  return tasks.map((task) => `${task.title}${task.completed ? " (done)" : ""}`).sort();
}

/** Back online: the outbox has been sent once the offline and "Sending" banner is gone. */
function waitUntilSent(page: Page) {
  return page
    .getByRole("status")
    .filter({ hasText: /offline|Sending/ })
    .waitFor({ state: "detached" });
}

/** Every task write the browser sends (page and service worker alike). */
function recordWrites(context: BrowserContext) {
  const writes: string[] = [];
  context.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (request.method() === "GET" || !/^\/api\/[^/]+\/tasks/.test(path)) return;
    writes.push(`${request.method()} ${path.replace(/^\/api\/[^/]+/, "").replace(/\d+/g, ":id")}`);
  });
  return writes;
}

describe.skipIf(skipReason !== "")("offline use", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("keeps working offline and through a reload, then sends each change exactly once", async () => {
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser);
    await signUp(page, "Olive Offline", uniqueEmail("offline"));
    await seedTasks(page, [{ title: "Edit me" }, { title: "Complete me" }, { title: "Delete me" }]);
    await page.reload();
    await eventually(() => taskTitles(page)).toEqual(["Delete me", "Complete me", "Edit me"]);
    // The service worker has taken the page and the tasks are saved in this browser.
    await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(
      true,
    );
    // API requests skip the worker altogether: its static route sends them to the network.
    const apiSource = await page.evaluate(async () => {
      await fetch("/api/auth/get-session");
      const entry = performance
        .getEntriesByType("resource")
        .filter((e) => e.name.endsWith("/api/auth/get-session"))
        .pop();
      // Chromium's resource timing names the source a worker's static route chose.
      return entry ? Reflect.get(entry, "workerMatchedSourceType") : undefined;
    });
    expect(apiSource).toBe("network");
    await eventually(
      async () => (await readIndexedDb(page, "todo-query-cache", "clients")).json,
    ).toContain("Delete me");

    const writes = recordWrites(context);
    await context.setOffline(true);
    // The browser's own log lines for the requests that fail while offline are expected.
    await allowConsoleErrors([/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/], async () => {
      await page.getByText("You are offline.").waitFor();
      await addTask(page, "Added offline");
      await page.getByRole("heading", { name: "Edit me" }).dblclick();
      const editTitle = page.getByRole("textbox", { name: "Title", exact: true });
      await editTitle.fill("Edited offline");
      await editTitle.press("Enter");
      await page.getByRole("heading", { name: "Edited offline" }).waitFor();
      const done = page.getByRole("checkbox", { name: "Done: “Complete me”" });
      await done.click();
      await eventually(() => done.isChecked()).toBe(true);
      await page.getByRole("button", { name: "Delete “Delete me”" }).click();
      // The delete is queued once its undo window has passed.
      await page.getByText("4 changes will be sent when you reconnect.").waitFor();
      // What the screen shows is saved in this browser (a moment later).
      await eventually(async () => {
        const saved = (await readIndexedDb(page, "todo-query-cache", "clients")).json;
        return ["Added offline", "Edited offline", "Delete me"].map((t) => saved.includes(t));
      }).toEqual([true, true, false]);

      // A reload without a network: the app shell comes from the service worker, the tasks and
      // the queued changes from IndexedDB.
      await page.reload();
      await page.getByText("4 changes will be sent when you reconnect.").waitFor();
      await eventually(() => taskTitles(page)).toEqual([
        "Added offline",
        "Complete me",
        "Edited offline",
      ]);
      expect(await page.getByRole("checkbox", { name: "Done: “Complete me”" }).isChecked()).toBe(
        true,
      );
    });
    expect(writes).toEqual([]);

    await context.setOffline(false);
    await waitUntilSent(page);
    await eventually(() => serverTasks(page)).toEqual([
      "Added offline",
      "Complete me (done)",
      "Edited offline",
    ]);
    expect(writes).toEqual([
      "POST /tasks",
      "PUT /tasks/:id",
      "PATCH /tasks/:id/complete",
      "DELETE /tasks/:id",
    ]);
    await eventually(() => taskTitles(page)).toEqual([
      "Added offline",
      "Complete me",
      "Edited offline",
    ]);

    // The service worker keeps the app, never an API answer.
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) urls.push(request.url);
      }
      return urls;
    });
    expect(cached.some((url) => url.includes("/assets/"))).toBe(true);
    expect(cached.filter((url) => url.includes("/api/"))).toEqual([]);
    assertClean();
    await context.close();
  });

  it("lets a task added offline be edited, completed and deleted, before and after a reload", async () => {
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser);
    await signUp(page, "Ada Added", uniqueEmail("offline-added"));
    // The (empty) list is loaded and saved before the network goes: an add offline goes into it.
    await page.getByText("No tasks yet. Add your first one above.").waitFor();
    await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(
      true,
    );
    const writes = recordWrites(context);
    await context.setOffline(true);
    await allowConsoleErrors([/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/], async () => {
      await page.getByText("You are offline.").waitFor();
      await addTask(page, "Draft");
      await addTask(page, "Scratch");
      await page.getByRole("heading", { name: "Draft" }).dblclick();
      const editTitle = page.getByRole("textbox", { name: "Title", exact: true });
      await editTitle.fill("Final");
      await editTitle.press("Enter");
      await page.getByRole("checkbox", { name: "Done: “Final”" }).click();
      await page.getByRole("button", { name: "Delete “Scratch”" }).click();
      await page.getByText("5 changes will be sent when you reconnect.").waitFor();
      await eventually(async () => {
        const saved = (await readIndexedDb(page, "todo-query-cache", "clients")).json;
        return ["Final", "Scratch"].map((t) => saved.includes(`"${t}"`));
      }).toEqual([true, false]);

      // After a reload the task still has its temporary id, and can still be changed.
      await page.reload();
      await page.getByText("5 changes will be sent when you reconnect.").waitFor();
      await page.getByRole("heading", { name: "Final" }).dblclick();
      const again = page.getByRole("textbox", { name: "Title", exact: true });
      await again.fill("Final, renamed after a reload");
      await again.press("Enter");
      await page.getByText("6 changes will be sent when you reconnect.").waitFor();
    });
    expect(writes).toEqual([]);

    await context.setOffline(false);
    await waitUntilSent(page);
    await eventually(() => serverTasks(page)).toEqual(["Final, renamed after a reload (done)"]);
    expect(await serverTasks(page, "trash")).toEqual(["Scratch"]);
    // Each task was created once, and no request named a temporary id.
    expect(writes.filter((write) => write === "POST /tasks")).toHaveLength(2);
    expect(writes.filter((write) => write.includes("-"))).toEqual([]);
    await eventually(() => taskTitles(page)).toEqual(["Final, renamed after a reload"]);
    const shownId = await page.locator("article[data-task-id]").getAttribute("data-task-id");
    expect(Number(shownId)).toBeGreaterThan(0);
    assertClean();
    await context.close();
  });

  it("clears completed tasks and undoes a delete offline, through a reload, then sends both", async () => {
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser);
    await signUp(page, "Ursula Undo", uniqueEmail("offline-undo"));
    await seedTasks(page, [
      { title: "Done one", completed: true },
      { title: "Done two", completed: true },
      { title: "Undo my delete" },
      { title: "Stay" },
    ]);
    await page.reload();
    await eventually(() => taskTitles(page)).toEqual([
      "Stay",
      "Undo my delete",
      "Done two",
      "Done one",
    ]);
    await eventually(() => page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(
      true,
    );
    await eventually(
      async () => (await readIndexedDb(page, "todo-query-cache", "clients")).json,
    ).toContain("Done two");

    const writes = recordWrites(context);
    const keys: string[] = [];
    context.on("request", (request) => {
      const key = request.headers()["idempotency-key"];
      if (key) keys.push(`${request.method()} ${new URL(request.url()).pathname.split("/").pop()}`);
    });
    await context.setOffline(true);
    await allowConsoleErrors([/ERR_INTERNET_DISCONNECTED/, /Failed to fetch/], async () => {
      await page.getByText("You are offline.").waitFor();
      // Undo is offered even though the delete itself waits for the network.
      await page.getByRole("button", { name: "Delete “Undo my delete”" }).click();
      await page
        .getByText("Deleted “Undo my delete”: it moves to the trash when you are back online.")
        .waitFor();
      await page.getByRole("button", { name: "Undo" }).click();
      await page.getByRole("heading", { name: "Undo my delete" }).waitFor();
      await page.getByRole("button", { name: "Clear completed" }).click();
      await eventually(() => taskTitles(page)).toEqual(["Stay", "Undo my delete"]);
      await page.getByText("3 changes will be sent when you reconnect.").waitFor();
      // What the screen shows is saved in this browser (a moment later).
      await eventually(async () => {
        const saved = (await readIndexedDb(page, "todo-query-cache", "clients")).json;
        return ["Undo my delete", "Done two"].map((title) => saved.includes(title));
      }).toEqual([true, false]);

      // The queued delete, restore and clear survive a reload without a network.
      await page.reload();
      await page.getByText("3 changes will be sent when you reconnect.").waitFor();
      await eventually(() => taskTitles(page)).toEqual(["Stay", "Undo my delete"]);
    });
    expect(writes).toEqual([]);

    await context.setOffline(false);
    await waitUntilSent(page);
    await eventually(() => serverTasks(page)).toEqual(["Stay", "Undo my delete"]);
    expect(await serverTasks(page, "trash")).toEqual(["Done one (done)", "Done two (done)"]);
    expect(writes).toEqual([
      "DELETE /tasks/:id",
      "POST /tasks/:id/restore",
      "DELETE /tasks/completed",
    ]);
    expect(keys).toEqual(["POST restore", "DELETE completed"]);
    await eventually(() => taskTitles(page)).toEqual(["Stay", "Undo my delete"]);
    assertClean();
    await context.close();
  });

  it("forgets the user's saved tasks and queued changes on sign-out", async () => {
    const { page, context, assertClean } = await openPage(browser);
    await signUp(page, "Sam Signout", uniqueEmail("offline-signout"));
    await addTask(page, "Private task");
    const userId = await page.evaluate(
      async () => (await (await fetch("/api/auth/get-session")).json()).user.id as string,
    );
    await eventually(
      async () => (await readIndexedDb(page, "todo-query-cache", "clients")).keys,
    ).toEqual([userId]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await eventually(
      async () => (await readIndexedDb(page, "todo-query-cache", "clients")).keys,
    ).toEqual([]);
    expect((await readIndexedDb(page, "todo-outbox", "writes")).keys).toEqual([]);
    expect(await page.evaluate(() => localStorage.getItem("todo-session"))).toBeNull();
    assertClean();
    await context.close();
  });

  it("serves the worker and the manifest with the right types, policy and caching", async () => {
    const get = (path: string) => fetch(`${baseUrl}${path}`);
    const worker = await get("/sw.js");
    expect(worker.status).toBe(200);
    expect(worker.headers.get("content-type")).toMatch(/javascript/);
    expect(worker.headers.get("cache-control")).toBe("no-cache");
    expect(worker.headers.get("etag")).toBeNull();
    // The worker's own policy lets it fetch the app's files (the API's would block them).
    expect(worker.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const workerText = await worker.text();
    expect(workerText).not.toMatch(/registerRoute\([^)]*\/api/);

    const manifest = await get("/manifest.webmanifest");
    expect(manifest.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
    const body = (await manifest.json()) as { icons: { src: string; type: string }[] };
    expect(body.icons.length).toBeGreaterThanOrEqual(2);
    for (const icon of body.icons) {
      const image = await get(icon.src);
      expect(image.status, icon.src).toBe(200);
      expect(image.headers.get("content-type"), icon.src).toBe("image/png");
    }

    const page = await get("/");
    const policy = page.headers.get("content-security-policy") ?? "";
    expect(policy).toContain("worker-src 'self'");
    expect(policy).toContain("manifest-src 'self'");
    expect(await page.text()).toContain('<link rel="manifest" href="/manifest.webmanifest">');
    // The copy the worker stores (it asks for /index.html) carries the page's policy, not the API's.
    const stored = await get("/index.html?__WB_REVISION__=1");
    expect(stored.headers.get("content-security-policy")).toBe(policy);
    expect(stored.headers.get("cache-control")).toBe("no-cache");
  });
});
