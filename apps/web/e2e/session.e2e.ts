import type { Browser, Page, Request } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  eventually,
  launchChromium,
  openPage,
  signIn,
  signUp,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";

const userIdOf = (page: Page) =>
  page.evaluate(
    async () => (await (await fetch("/api/auth/get-session")).json()).user.id as string,
  );

describe.skipIf(skipReason !== "")("sessions", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("sends a delete with its owner's token at once, and the next user sees none of it", async () => {
    const { page, context, assertClean } = await openPage(browser);
    const emailA = uniqueEmail("owner-a");
    const emailB = uniqueEmail("next-b");
    await signUp(page, "Bee", emailB);
    await addTask(page, "B's own task");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    await signUp(page, "Ay", emailA);
    const userA = await userIdOf(page);
    await addTask(page, "A private: salary 123k");
    await addTask(page, "A keep");

    const sent: { method: string; path: string }[] = [];
    page.on("request", (request: Request) => {
      const url = new URL(request.url());
      if (request.method() !== "GET" || url.pathname === "/api/auth/sign-out")
        sent.push({ method: request.method(), path: url.pathname });
    });
    // Deletes go to the trash at once (decision 039): nothing waits in the page for sign-out.
    const deleted = page.waitForResponse((r) => r.request().method() === "DELETE");
    await page.getByRole("button", { name: "Delete “A private: salary 123k”" }).click();
    expect((await deleted).status()).toBe(204);
    await page.getByRole("button", { name: "Undo" }).waitFor();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    expect(await page.locator(".toast").count()).toBe(0);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      expect.stringMatching(new RegExp(`^DELETE /api/${userA}/tasks/\\d+$`)),
      "POST /api/auth/sign-out",
    ]);

    await signIn(page, emailB);
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    await eventually(() => taskTitles(page)).toEqual(["B's own task"]);
    expect(await page.locator(".toast").allTextContents()).toEqual([]);
    // No timer of A's is left to send anything with B's token.
    const before = sent.filter((r) => r.path !== "/api/auth/sign-in/email").length;
    await page.waitForTimeout(1000);
    expect(sent.filter((r) => r.path !== "/api/auth/sign-in/email")).toHaveLength(before);

    // A finds the deleted task in the trash, not lost.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    await signIn(page, emailA);
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    await eventually(() => taskTitles(page)).toEqual(["A keep"]);
    await page.getByRole("link", { name: "Trash" }).click();
    await page.getByRole("heading", { name: "A private: salary 123k" }).waitFor();
    assertClean();
    await context.close();
  });

  it("stays signed in with a message when sign-out fails", async () => {
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser);
    await signUp(page, "Stay", uniqueEmail("stay"));
    await addTask(page, "Still mine");
    await page.route("**/api/auth/sign-out", (route) => route.abort("connectionrefused"));
    await allowConsoleErrors([/ERR_CONNECTION_REFUSED/], async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.getByRole("alert").filter({ hasText: "Could not sign out" }).waitFor();
    });
    expect(new URL(page.url()).pathname).toBe("/");
    await page.unroute("**/api/auth/sign-out");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL("**/sign-in");
    await page.reload();
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    assertClean();
    await context.close();
  });

  it("signs out every tab when one tab signs out", async () => {
    const first = await openPage(browser);
    await signUp(first.page, "Tabs", uniqueEmail("tabs"));
    await addTask(first.page, "Seen in two tabs");
    const second = await first.context.newPage();
    await second.goto("/");
    await second.getByRole("heading", { name: "Seen in two tabs" }).waitFor();

    await first.page.getByRole("button", { name: "Sign out" }).click();
    await first.page.waitForURL("**/sign-in");
    await second.waitForURL("**/sign-in");
    expect(await taskTitles(second)).toEqual([]);
    first.assertClean();
    await first.context.close();
  });

  it("keeps a change made offline, says it waits, and sends it when the network is back", async () => {
    // Until decision 038 an offline change was rolled back with a message; now it is queued.
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser);
    await signUp(page, "Off", uniqueEmail("offline"));
    await addTask(page, "Offline toggle");
    const checkbox = page.getByRole("checkbox", { name: "Done: “Offline toggle”" });
    await context.setOffline(true);
    // Every request the page makes while offline logs this line: the toggle's, and whatever else
    // runs then (the live updates reconnecting), so it is allowed until the network is back.
    await allowConsoleErrors([/ERR_INTERNET_DISCONNECTED/], async () => {
      await checkbox.click();
      await page.getByText("You are offline. 1 change will be sent when you reconnect.").waitFor();
      expect(await checkbox.isChecked()).toBe(true);
      const sent = page.waitForResponse(
        (response) => response.request().method() === "PATCH" && response.status() === 200,
      );
      await context.setOffline(false);
      await sent;
    });
    await page
      .getByRole("status")
      .filter({ hasText: /offline|Sending/ })
      .waitFor({
        state: "detached",
      });
    await page.reload();
    await eventually(() => checkbox.isChecked()).toBe(true);
    assertClean();
    await context.close();
  });
});
