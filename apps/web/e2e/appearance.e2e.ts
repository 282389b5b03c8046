import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addTask,
  eventually,
  expectNoSeriousA11yViolations,
  launchChromium,
  openPage,
  screenshot,
  seedTasks,
  signUp,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";
import { docsScreenshotDir } from "./paths";

const day = 86_400_000;
const sampleTasks = [
  {
    title: "Renew passport",
    description: "Photos first, then the online form",
    priority: "high",
    tags: ["admin"],
    due_date: new Date(Date.now() - 2 * day).toISOString(),
  },
  {
    title: "Plan the team offsite",
    description: "Venue shortlist and budget",
    priority: "medium",
    tags: ["work", "planning"],
    due_date: new Date(Date.now() + 5 * day).toISOString(),
  },
  { title: "Water the plants", priority: "low", tags: ["home"], completed: true },
  { title: "Book dentist appointment", priority: "medium", tags: ["health"] },
  {
    title: "Read “Designing Data-Intensive Applications”",
    description: "Chapters 5–7",
    priority: "low",
    tags: ["reading"],
  },
];

/** Relative luminance of the page background (0 = black, 1 = white). */
function backgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const [r = 0, g = 0, b = 0] =
      getComputedStyle(document.body).backgroundColor.match(/\d+/g)?.map(Number) ?? [];
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  });
}

describe.skipIf(skipReason !== "")("appearance", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("follows the system theme, can be switched, and remembers the choice", async () => {
    const { page, context, assertClean } = await openPage(browser, { colorScheme: "dark" });
    await signUp(page, "Alex Morgan", uniqueEmail("theme"));
    await seedTasks(page, sampleTasks);
    await page.reload();
    await eventually(() => taskTitles(page)).toHaveLength(5);

    expect(await backgroundLuminance(page)).toBeLessThan(0.2);
    await expectNoSeriousA11yViolations(page, "task list (dark)");
    const dark = await screenshot(page, "tasks-dark-desktop");

    // The user picks light while the system is dark; it survives a reload.
    await page.getByLabel("Theme").selectOption("light");
    expect(await backgroundLuminance(page)).toBeGreaterThan(0.8);
    await page.reload();
    await eventually(() => taskTitles(page)).toHaveLength(5);
    expect(await backgroundLuminance(page)).toBeGreaterThan(0.8);
    expect(await page.getByLabel("Theme").inputValue()).toBe("light");
    await expectNoSeriousA11yViolations(page, "task list (light)");
    const light = await screenshot(page, "tasks-light-desktop-sample");

    // Back to following the system.
    await page.getByLabel("Theme").selectOption("system");
    expect(await backgroundLuminance(page)).toBeLessThan(0.2);

    // The README's screenshots: written when missing or asked for, so a test run leaves git clean.
    mkdirSync(docsScreenshotDir, { recursive: true });
    for (const [source, name] of [
      [light, "light.png"],
      [dark, "dark.png"],
    ] as const) {
      const target = join(docsScreenshotDir, name);
      if (process.env.UPDATE_DOCS_SCREENSHOTS === "1" || !existsSync(target))
        copyFileSync(source, target);
    }
    assertClean();
    await context.close();
  });

  it("fits a 360 px phone screen in light and dark, with the edit form open", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      const { page, context, assertClean } = await openPage(browser, {
        viewport: { width: 360, height: 740 },
        colorScheme,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
      });
      await signUp(page, "Pat Phone", uniqueEmail(`phone-${colorScheme}`));
      await seedTasks(page, sampleTasks);
      await page.reload();
      await eventually(() => taskTitles(page)).toHaveLength(5);

      const overflow = () =>
        page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(await overflow()).toBeLessThanOrEqual(0);
      await expectNoSeriousA11yViolations(page, `task list (phone, ${colorScheme})`);
      await screenshot(page, `tasks-${colorScheme}-phone`);

      await page.getByRole("button", { name: "More options" }).click();
      await page.getByRole("button", { name: "Edit “Renew passport”" }).click();
      expect(await overflow()).toBeLessThanOrEqual(0);
      await expectNoSeriousA11yViolations(page, `editing (phone, ${colorScheme})`);
      await screenshot(page, `editing-${colorScheme}-phone`);
      assertClean();
      await context.close();
    }
  });

  it("is usable with the keyboard alone, with a visible focus ring", async () => {
    const { page, context, assertClean } = await openPage(browser);
    await signUp(page, "Kim Keys", uniqueEmail("keys"));

    // Tab from the top of a freshly loaded page reaches the add input with a visible outline.
    await page.reload();
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    await page.keyboard.press("Tab"); // skip link
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    let input = page.getByRole("textbox", { name: "New task title" });
    for (let i = 0; i < 10 && !(await input.evaluate((el) => el === document.activeElement)); i++) {
      await page.keyboard.press("Tab");
    }
    expect(await input.evaluate((el) => el === document.activeElement)).toBe(true);
    const outline = await input.evaluate((el) => getComputedStyle(el).outlineStyle);
    expect(outline).not.toBe("none");

    await page.keyboard.type("Typed without a mouse");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Typed without a mouse" }).waitFor();

    // Focus the checkbox by keyboard and toggle it with Space.
    const checkbox = page.getByRole("checkbox", { name: "Done: “Typed without a mouse”" });
    for (
      let i = 0;
      i < 30 && !(await checkbox.evaluate((el) => el === document.activeElement));
      i++
    ) {
      await page.keyboard.press("Tab");
    }
    await page.keyboard.press("Space");
    await eventually(() => checkbox.isChecked()).toBe(true);

    // Edit with the keyboard: Tab to Edit, Enter, type, Enter saves.
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    input = page.getByRole("textbox", { name: "Title", exact: true });
    await input.fill("Edited by keyboard");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Edited by keyboard" }).waitFor();

    // Delete by keyboard: focus moves to the neighbouring card, and Ctrl+Z undoes.
    await addTask(page, "Second by keyboard");
    // Saved (no longer a temporary card) before the delete.
    await eventually(() =>
      page.getByRole("button", { name: "Edit “Second by keyboard”" }).isEnabled(),
    ).toBe(true);
    await page.getByRole("button", { name: "Delete “Edited by keyboard”" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Edited by keyboard" }).waitFor({ state: "detached" });
    await eventually(() =>
      page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200)),
    ).toContain("article");
    expect(
      await page.evaluate(() => document.activeElement?.querySelector("h3")?.textContent),
    ).toBe("Second by keyboard");
    await page.keyboard.press("Control+z");
    await page.getByRole("heading", { name: "Edited by keyboard" }).waitFor();
    assertClean();
    await context.close();
  });
});
