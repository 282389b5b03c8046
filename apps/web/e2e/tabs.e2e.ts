import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import {
  addTask,
  eventually,
  launchChromium,
  openPage,
  signUp,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";

/**
 * Headless Chromium keeps every tab "visible" (bringToFront fires nothing), so the page's
 * visibility is set the way a browser sets it, followed by the real `visibilitychange` event.
 */
async function setVisibility(page: Page, state: "hidden" | "visible") {
  await page.evaluate((next) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => next });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => next === "hidden" });
    // As a browser fires it: at the document, bubbling to window (where TanStack Query listens).
    document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
  }, state);
}

describe.skipIf(skipReason !== "")("two tabs of one user", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("shows a task added in another tab when the user comes back to this one", async () => {
    const first = await openPage(browser);
    await signUp(first.page, "Tess Tabs", uniqueEmail("tabs-focus"));
    await addTask(first.page, "Before");
    const second = await first.context.newPage();
    await second.goto("/");
    await eventually(() => taskTitles(second)).toEqual(["Before"]);

    await setVisibility(second, "hidden");
    await first.page.bringToFront();
    await addTask(first.page, "Added in the first tab");
    // Seconds later, well within the lists' staleTime (10 s): returning must still refetch.
    await second.bringToFront();
    await setVisibility(second, "visible");
    await eventually(() => taskTitles(second)).toEqual(["Added in the first tab", "Before"]);
    await second.getByText("2 tasks left").waitFor();
    first.assertClean();
    await first.context.close();
  });

  it("shows a task added in another tab when this one gets the network back", async () => {
    const first = await openPage(browser);
    await signUp(first.page, "Olly Online", uniqueEmail("tabs-online"));
    await addTask(first.page, "Before");
    const second = await first.context.newPage();
    await second.goto("/");
    await eventually(() => taskTitles(second)).toEqual(["Before"]);

    await addTask(first.page, "Added while the other tab looked away");
    // Going offline may cut the first tab's refetch after its add: the browser logs that.
    await first.allowConsoleErrors([/ERR_INTERNET_DISCONNECTED/], async () => {
      await first.context.setOffline(true);
      await first.context.setOffline(false);
    });
    await eventually(() => taskTitles(second)).toEqual([
      "Added while the other tab looked away",
      "Before",
    ]);
    first.assertClean();
    await first.context.close();
  });
});
