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

  it("repaints every button in the new theme at once: no light button after switching to dark", async () => {
    // Motion allowed, as most people have it: a colour transition would show here.
    const { page, context, assertClean } = await openPage(browser, {
      reducedMotion: "no-preference",
    });
    await signUp(page, "Dana Dark", uniqueEmail("no-flash"));
    await seedTasks(page, sampleTasks);
    await page.reload();
    await eventually(() => taskTitles(page)).toHaveLength(5);

    const result = await page.evaluate(async () => {
      const colours = () =>
        [...document.querySelectorAll("button")].map(
          (button) => `${button.textContent?.trim()}: ${getComputedStyle(button).backgroundColor}`,
        );
      const select = document.querySelector<HTMLSelectElement>(".theme-switcher select");
      if (!select) throw new Error("no theme select");
      const switched = new Promise<void>((resolve) => {
        const observer = new MutationObserver(() => {
          if (document.documentElement.dataset.theme !== "dark") return;
          observer.disconnect();
          resolve();
        });
        observer.observe(document.documentElement, { attributes: true });
      });
      select.value = "dark";
      select.dispatchEvent(new Event("change", { bubbles: true }));
      await switched;
      // Every frame of the first 100 ms after the switch, then the settled colours.
      const start = performance.now();
      const frames = [colours()];
      while (performance.now() - start < 100) {
        await new Promise((resolve) => requestAnimationFrame(resolve));
        frames.push(colours());
      }
      await new Promise((resolve) => setTimeout(resolve, 800));
      return { frames, settled: colours() };
    });
    expect(result.frames.length).toBeGreaterThan(1);
    for (const frame of result.frames) expect(frame).toEqual(result.settled);
    // And settled means dark: the plain buttons (Delete among them) sit on a dark surface.
    const luminance = (colour: string) => {
      const [r = 0, g = 0, b = 0] = colour.match(/\d+/g)?.map(Number) ?? [];
      return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
    };
    const deletes = result.settled.filter((entry) => entry.startsWith("Delete:"));
    expect(deletes).toHaveLength(5);
    for (const entry of deletes) expect(luminance(entry.split(": ")[1] ?? "")).toBeLessThan(0.2);
    assertClean();
    await context.close();
  });

  it("paints the first frame in the remembered theme, before any app script runs", async () => {
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser);
    await page.addInitScript(() => localStorage.setItem("theme", "dark"));
    // Without the app's JavaScript only public/theme-init.js and the stylesheet can act.
    await page.route("**/assets/*.js", (route) => route.abort());
    await allowConsoleErrors([/ERR_FAILED/], () => page.goto("/sign-in"));
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await backgroundLuminance(page)).toBeLessThan(0.2);
    assertClean();
    await context.close();
  });

  it("keeps the header on one line at 360 px, with a theme control that keeps its name", async () => {
    const { page, context, assertClean } = await openPage(browser, {
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
      deviceScaleFactor: 2,
    });
    await signUp(page, "Maximiliana Alexandrova-Long", uniqueEmail("header"));
    const theme = page.getByRole("combobox", { name: "Theme" });
    await theme.selectOption("dark");
    const header = await page.evaluate(() => {
      const inner = document.querySelector(".app-header-inner");
      if (!inner) throw new Error("no header");
      const parts = [
        ".brand",
        ".theme-icon",
        ".theme-switcher select",
        ".user-name",
        ".app-header-inner button",
      ].map((selector) => {
        const box = document.querySelector(selector)?.getBoundingClientRect();
        return {
          selector,
          top: box?.top ?? -1,
          bottom: box?.bottom ?? -1,
          right: box?.right ?? 999,
          width: box?.width ?? 0,
        };
      });
      return { height: inner.getBoundingClientRect().height, parts };
    });
    // One row of 40 px controls plus padding; two rows would be over 80.
    expect(header.height).toBeLessThanOrEqual(64);
    const first = header.parts[0];
    for (const part of header.parts) {
      expect(part.width, part.selector).toBeGreaterThan(0);
      expect(part.right, part.selector).toBeLessThanOrEqual(360);
      expect(part.top, part.selector).toBeLessThan(first?.bottom ?? 0);
    }
    // The icon is what a sighted person sees in place of the word "Theme".
    expect(await page.locator(".theme-icon").isVisible()).toBe(true);
    expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(true);
    await screenshot(page, "header-dark-phone");
    assertClean();
    await context.close();
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
    await page.getByRole("button", { name: "Delete “Edited by keyboard”" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Edited by keyboard" }).waitFor({ state: "detached" });
    await eventually(() =>
      page.evaluate(() => document.activeElement?.outerHTML.slice(0, 200)),
    ).toContain("article");
    expect(
      await page.evaluate(() => document.activeElement?.querySelector("h3")?.textContent),
    ).toBe("Second by keyboard");
    // Ctrl+Z is the toast's Undo, offered once the delete is sent (or queued).
    await page.getByText("Moved “Edited by keyboard” to the trash.").waitFor();
    await page.keyboard.press("Control+z");
    await page.getByRole("heading", { name: "Edited by keyboard" }).waitFor();
    assertClean();
    await context.close();
  });
});
