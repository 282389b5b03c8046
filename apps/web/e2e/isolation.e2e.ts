import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe.skipIf(skipReason !== "")("two users", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("never see each other's tasks, in the UI or through the API", async () => {
    const ann = await openPage(browser);
    const bob = await openPage(browser);
    await signUp(ann.page, "Ann", uniqueEmail("ann"));
    await signUp(bob.page, "Bob", uniqueEmail("bob"));

    await addTask(ann.page, "Ann's secret plan");
    await addTask(bob.page, "Bob's surprise party");
    await addTask(ann.page, "Ann's second task");

    await bob.page.reload();
    await ann.page.reload();
    await eventually(() => taskTitles(ann.page)).toEqual([
      "Ann's second task",
      "Ann's secret plan",
    ]);
    await eventually(() => taskTitles(bob.page)).toEqual(["Bob's surprise party"]);
    await ann.page.getByText("2 tasks left").waitFor();
    await bob.page.getByText("1 task left").waitFor();

    // Bob's token on Ann's task URLs: refused, and Ann's tasks untouched.
    const annId = await ann.page.evaluate(
      async () => (await (await fetch("/api/auth/get-session")).json()).user.id,
    );
    const statuses = await bob.allowHttpErrors([403], () =>
      bob.page.evaluate(async (otherId: string) => {
        const { token } = await (await fetch("/api/auth/token")).json();
        const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
        const list = await fetch(`/api/${otherId}/tasks`, { headers });
        const create = await fetch(`/api/${otherId}/tasks`, {
          method: "POST",
          headers,
          body: JSON.stringify({ title: "x" }),
        });
        const clear = await fetch(`/api/${otherId}/tasks/completed`, { method: "DELETE", headers });
        return [list.status, create.status, clear.status];
      }, annId),
    );
    expect(statuses).toEqual([403, 403, 403]);
    await ann.page.reload();
    await eventually(() => taskTitles(ann.page)).toEqual([
      "Ann's second task",
      "Ann's secret plan",
    ]);

    // Signing out in one context does not affect the other.
    await bob.page.getByRole("button", { name: "Sign out" }).click();
    await bob.page.waitForURL("**/sign-in");
    await ann.page.reload();
    await eventually(() => taskTitles(ann.page)).toHaveLength(2);

    ann.assertClean();
    bob.assertClean();
    await ann.context.close();
    await bob.context.close();
  });
});
