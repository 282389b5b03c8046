import { mkdirSync } from "node:fs";
import { join } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from "playwright-core";
import { expect, inject } from "vitest";
import { CHROMIUM_PATH, screenshotDir } from "./paths";

export const baseUrl = inject("baseUrl");
export const skipReason = inject("skipReason");

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/**
 * A page whose uncaught errors and console errors are collected; `assertClean` fails the test on
 * any. `allowHttpErrors` lets the browser's own log line for the given 4xx statuses through, but
 * only while the step that provokes them on purpose runs (a wrong password, another user's URL).
 */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}) {
  const context: BrowserContext = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1280, height: 860 },
    colorScheme: "light",
    reducedMotion: "reduce",
    ...options,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  let allowed: RegExp[] = [];
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (allowed.some((pattern) => pattern.test(text))) return;
    errors.push(`console.error: ${text}`);
  });
  /** Lets console errors matching `patterns` through while `step` runs, and only then. */
  async function allowConsoleErrors<T>(patterns: RegExp[], step: () => Promise<T>): Promise<T> {
    allowed = patterns;
    try {
      return await step();
    } finally {
      allowed = [];
    }
  }
  /** Lets the browser's log line for these response statuses through while `step` runs. */
  function allowHttpErrors<T>(statuses: number[], step: () => Promise<T>): Promise<T> {
    const status = new RegExp(
      `^Failed to load resource: the server responded with a status of (${statuses.join("|")})`,
    );
    return allowConsoleErrors([status], step);
  }
  return {
    context,
    page,
    assertClean: () => expect(errors, "browser errors").toEqual([]),
    allowConsoleErrors,
    allowHttpErrors,
  };
}

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${counter}@example.com`;
}

export async function signUp(
  page: Page,
  name: string,
  email: string,
  password = "correct-horse-1",
) {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign up" }).click();
  await page.getByRole("textbox", { name: "New task title" }).waitFor();
}

export async function signIn(page: Page, email: string, password = "correct-horse-1") {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function addTask(page: Page, title: string) {
  const input = page.getByRole("textbox", { name: "New task title" });
  await input.fill(title);
  await input.press("Enter");
  await page.getByRole("heading", { name: title, exact: true }).waitFor();
}

/** Creates tasks through the API with the page's session (faster than typing them). */
export async function seedTasks(page: Page, tasks: Record<string, unknown>[]) {
  await page.evaluate(async (bodies) => {
    const session = await (await fetch("/api/auth/get-session")).json();
    const { token } = await (await fetch("/api/auth/token")).json();
    for (const body of bodies) {
      const response = await fetch(`/api/${session.user.id}/tasks`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status !== 201)
        throw new Error(`seed failed: ${response.status} ${await response.text()}`);
    }
  }, tasks);
}

export function taskTitles(page: Page): Promise<string[]> {
  return page.locator(".task-list h3").allTextContents();
}

/** Runs axe-core on the page; fails on any serious or critical violation. */
export async function expectNoSeriousA11yViolations(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const serious = results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`,
    );
  expect(serious, `axe violations on ${screen}`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Polls an async value until it matches (the UI updates after a fetch). */
export function eventually<T>(read: () => Promise<T>) {
  return expect.poll(read, { timeout: 5000, interval: 50 });
}
