import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TASK_LIMITS } from "../src/lib/task-limits";
import {
  baseUrl,
  eventually,
  launchChromium,
  openPage,
  signUp,
  skipReason,
  taskTitles,
  uniqueEmail,
} from "./helpers";

interface JsonSchema {
  maxLength?: number;
  maxItems?: number;
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
}

describe.skipIf(skipReason !== "")("length limits", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("are the limits the API publishes in /openapi.json", async () => {
    const document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as {
      components: { schemas: Record<string, JsonSchema> };
    };
    const fields = document.components.schemas.TaskCreate?.properties ?? {};
    expect({
      title: fields.title?.maxLength,
      description: fields.description?.maxLength,
      tags: fields.tags?.maxItems,
      tag: fields.tags?.items?.maxLength,
    }).toEqual(TASK_LIMITS);
  });

  it("lets a person type past 200 characters, counts them, and refuses the 201st without losing text", async () => {
    const { page, context, assertClean } = await openPage(browser);
    await signUp(page, "Lena Limits", uniqueEmail("limits"));
    const posts: string[] = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && /\/tasks$/.test(new URL(request.url()).pathname))
        posts.push(request.postData() ?? "");
    });
    const input = page.getByRole("textbox", { name: "New task title" });
    await input.click();
    // Typed, then pasted (insertText is what a paste inserts): nothing is cut at 200.
    await page.keyboard.type("a".repeat(10));
    await page.keyboard.insertText("b".repeat(189));
    expect(await input.getAttribute("aria-describedby")).not.toBeNull();
    await page.keyboard.type("c");
    await page.getByText("0 characters left (200/200)").waitFor();
    await page.keyboard.insertText("d".repeat(11));
    const typed = `${"a".repeat(10)}${"b".repeat(189)}c${"d".repeat(11)}`;
    expect(await input.inputValue()).toBe(typed);
    await page.getByText("11 characters too many (211/200)").waitFor();

    await input.press("Enter");
    await page
      .getByRole("alert")
      .filter({ hasText: "Keep the title to 200 characters: it has 211, 11 too many." })
      .waitFor();
    expect(await input.inputValue()).toBe(typed);
    expect(await input.getAttribute("aria-invalid")).toBe("true");

    // Down to exactly 200: the counter follows and the task is created whole.
    for (let i = 0; i < 11; i++) await input.press("Backspace");
    await page.getByText("0 characters left (200/200)").waitFor();
    await input.press("Enter");
    await eventually(() => taskTitles(page)).toEqual([typed.slice(0, 200)]);
    expect(posts).toHaveLength(1);
    assertClean();
    await context.close();
  });

  it("refuses an over-long description and tag with a message, keeping what was typed", async () => {
    const { page, context, assertClean } = await openPage(browser);
    await signUp(page, "Dee Scription", uniqueEmail("limits-more"));
    await page.getByRole("button", { name: "More options" }).click();
    const form = page.getByRole("form", { name: "Add a task" });
    const description = form.getByLabel("Description");
    await description.fill("x".repeat(1001));
    await form.getByText("1 character too many (1001/1000)").waitFor();
    await form.getByLabel("Tags").fill(`home, ${"t".repeat(33)}`);
    await page.getByRole("textbox", { name: "New task title" }).fill("With long details");
    await page.getByRole("textbox", { name: "New task title" }).press("Enter");
    await form
      .getByText("Keep the description to 1000 characters: it has 1001, 1 too many.")
      .waitFor();
    await form.getByText(/Each tag can have at most 32 characters/).waitFor();
    expect(await description.inputValue()).toHaveLength(1001);
    expect(await taskTitles(page)).toEqual([]);
    assertClean();
    await context.close();
  });
});
