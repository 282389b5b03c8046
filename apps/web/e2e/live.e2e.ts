import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  eventually,
  launchChromium,
  openPage,
  signIn,
  signUp,
  skipReason,
  uniqueEmail,
} from "./helpers";

/**
 * Live updates (API decision 036): pages of one user see each other's creates, edits, toggles and
 * deletes without a reload, within 1 s of the write leaving the other page. Two tabs of one
 * browser share one stream (the leader tab's); a second browser has a stream of its own.
 */

const LIMIT_MS = 1_000;
const latencies: Record<string, number> = {};

/** Runs `write` on `from` and resolves with ms from its API request leaving to `seen` on the other page. */
async function timeToSee(
  label: string,
  from: Page,
  write: () => Promise<unknown>,
  method: string,
  seen: () => Promise<unknown>,
) {
  let sentAt = 0;
  const onRequest = (request: { method(): string; url(): string }) => {
    if (request.method() === method && /\/api\/[^/]+\/tasks/.test(request.url()) && sentAt === 0)
      sentAt = Date.now();
  };
  from.on("request", onRequest);
  try {
    await write();
    await seen();
    const elapsed = Date.now() - sentAt;
    expect(sentAt, `${label}: the write was sent`).toBeGreaterThan(0);
    latencies[label] = elapsed;
    return elapsed;
  } finally {
    from.off("request", onRequest);
  }
}

/** A marker that a reload would erase. */
const mark = (page: Page) => page.evaluate(() => Object.assign(window, { liveMarker: true }));
const stillMarked = (page: Page) =>
  page.evaluate(() => (window as unknown as { liveMarker?: boolean }).liveMarker === true);

describe.skipIf(skipReason !== "")("live updates between pages of one user", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    const lines = Object.entries(latencies).map(([label, ms]) => `  ${label}: ${ms} ms`);
    if (lines.length > 0)
      process.stdout.write(
        `\nLive update latency (write sent → shown on the other page):\n${lines.join("\n")}\n`,
      );
  });

  it("shows another tab's and another browser's creates, edits, toggles and deletes within 1 s, without reload", async () => {
    const email = uniqueEmail("live");
    const first = await openPage(browser);
    await signUp(first.page, "Liv Live", email);
    await addTask(first.page, "Already there");
    const second = await first.context.newPage();
    await second.goto("/");
    await second.getByRole("heading", { name: "Already there" }).waitFor();
    // Another browser (its own cookies): a stream of its own.
    const device = await openPage(browser);
    await device.page.goto("/sign-in");
    await signIn(device.page, email);
    await device.page.getByRole("heading", { name: "Already there" }).waitFor();
    for (const page of [first.page, second, device.page]) await mark(page);
    // Let each stream connect (the leader's, the other browser's) before the first write.
    await first.page.waitForTimeout(1_500);

    const create = await timeToSee(
      "create, tab → tab",
      first.page,
      () => addTask(first.page, "Made in the first tab"),
      "POST",
      () => second.getByRole("heading", { name: "Made in the first tab" }).waitFor(),
    );
    await device.page.getByRole("heading", { name: "Made in the first tab" }).waitFor();

    const edit = await timeToSee(
      "edit, tab → tab",
      second,
      async () => {
        await second.getByRole("heading", { name: "Made in the first tab" }).dblclick();
        const title = second.getByRole("textbox", { name: "Title", exact: true });
        await title.fill("Renamed in the second tab");
        await title.press("Enter");
      },
      "PUT",
      () => first.page.getByRole("heading", { name: "Renamed in the second tab" }).waitFor(),
    );

    const toggle = await timeToSee(
      "toggle, browser → tab",
      device.page,
      () => device.page.getByRole("checkbox", { name: "Done: “Already there”" }).click(),
      "PATCH",
      () =>
        eventually(() =>
          first.page.getByRole("checkbox", { name: "Done: “Already there”" }).isChecked(),
        ).toBe(true),
    );

    // Timed from the DELETE request (into the trash).
    const remove = await timeToSee(
      "delete, tab → browser",
      first.page,
      () => first.page.getByRole("button", { name: "Delete “Renamed in the second tab”" }).click(),
      "DELETE",
      () =>
        device.page
          .getByRole("heading", { name: "Renamed in the second tab" })
          .waitFor({ state: "detached" }),
    );
    await second.getByRole("heading", { name: "Renamed in the second tab" }).waitFor({
      state: "detached",
    });

    for (const ms of [create, edit, toggle, remove]) expect(ms).toBeLessThan(LIMIT_MS);
    for (const page of [first.page, second, device.page])
      expect(await stillMarked(page)).toBe(true);
    await second.getByText("0 tasks left").waitFor();
    first.assertClean();
    device.assertClean();
    await first.context.close();
    await device.context.close();
  });
});
