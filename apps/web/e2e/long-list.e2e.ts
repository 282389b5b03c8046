import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, launchChromium, openPage, signUp, skipReason, uniqueEmail } from "./helpers";

const COUNT = 400;

describe.skipIf(skipReason !== "")("a long list", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it(`scrolls through ${COUNT} tasks, loading cursor pages on the way and keeping the DOM small`, async () => {
    const { page, context, assertClean } = await openPage(browser, {
      viewport: { width: 1024, height: 800 },
    });
    await signUp(page, "Lee Long", uniqueEmail("long"));
    await page.evaluate(async (count) => {
      const session = await (await fetch("/api/auth/get-session")).json();
      const { token } = await (await fetch("/api/auth/token")).json();
      const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
      for (let start = 1; start <= count; start += 20) {
        await Promise.all(
          Array.from({ length: Math.min(20, count - start + 1) }, (_, i) =>
            fetch(`/api/${session.user.id}/tasks`, {
              method: "POST",
              headers,
              body: JSON.stringify({ title: `Bulk task ${String(start + i).padStart(4, "0")}` }),
            }),
          ),
        );
      }
    }, COUNT);
    await page.reload();
    await page.getByText(`${COUNT} tasks left`).waitFor();

    // A half-typed edit near the top survives being scrolled far out of the virtual window.
    await page.getByRole("button", { name: "Edit “Bulk task 0400”" }).click();
    const editTitle = page.getByRole("textbox", { name: "Title", exact: true });
    await editTitle.fill("Bulk task 0400, edited while scrolling");

    const pages: string[] = [];
    page.on("request", (request) => {
      if (request.url().includes("cursor=")) pages.push(request.url());
    });
    // Keep scrolling to the bottom until the oldest task is rendered.
    const oldest = page.getByRole("heading", { name: "Bulk task 0001" });
    for (let i = 0; i < 60 && !(await oldest.isVisible()); i++) {
      await page.mouse.wheel(0, 4000);
      await page.waitForTimeout(100);
    }
    await oldest.waitFor();
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(COUNT / 50) - 1);
    const rendered = await page.locator(".task-list > li").count();
    expect(rendered).toBeLessThan(40);
    expect(await editTitle.inputValue()).toBe("Bulk task 0400, edited while scrolling");
    const saved = page.waitForResponse(
      (response) => response.request().method() === "PUT" && response.status() === 200,
    );
    await editTitle.press("Enter");
    expect((await (await saved).json()).title).toBe("Bulk task 0400, edited while scrolling");

    // Adding at the top still works after paging.
    await page.keyboard.press("Home");
    await page.getByRole("textbox", { name: "New task title" }).fill("Newest of all");
    await page.getByRole("textbox", { name: "New task title" }).press("Enter");
    await eventually(() => page.locator(".task-list h3").first().textContent()).toBe(
      "Newest of all",
    );
    assertClean();
    await context.close();
  });
});
