import { gzipSync } from "node:zlib";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { baseUrl, launchChromium, openPage, skipReason, uniqueEmail } from "./helpers";

/** The budget: JavaScript a visitor downloads before the sign-in form can be used. */
const SIGN_IN_JS_BUDGET_GZIP = 80_000;

/** Every script the page requests from now on, in order. */
function recordScripts(page: Page): string[] {
  const urls: string[] = [];
  page.on("request", (request) => {
    if (request.resourceType() === "script") urls.push(new URL(request.url()).pathname);
  });
  return urls;
}

/** The size a file has gzipped at the level the build precompresses with. */
async function gzipSize(path: string): Promise<number> {
  const response = await fetch(`${baseUrl}${path}`, { headers: { "Accept-Encoding": "identity" } });
  expect(response.status, path).toBe(200);
  return gzipSync(Buffer.from(await response.arrayBuffer()), { level: 9 }).length;
}

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${baseUrl}${path}`, {
    headers: { "Accept-Encoding": "gzip, deflate, br, zstd", ...headers },
  });
}

describe.skipIf(skipReason !== "")("first load", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("loads at most 80 KB gzip of JavaScript before the sign-in form is usable; the task screen comes as its own chunk", async () => {
    const { page, context, assertClean } = await openPage(browser);
    const scripts = recordScripts(page);
    await page.goto("/sign-in");
    await page.getByLabel("Email").waitFor();
    expect(await page.getByRole("button", { name: "Sign in" }).isEnabled()).toBe(true);
    const beforeForm = [...scripts];

    const sizes = await Promise.all(beforeForm.map(async (path) => [path, await gzipSize(path)]));
    const total = sizes.reduce((sum, [, size]) => sum + Number(size), 0);
    expect(total, JSON.stringify(sizes)).toBeLessThanOrEqual(SIGN_IN_JS_BUDGET_GZIP);
    expect(beforeForm.some((path) => path.includes("tasks-screen"))).toBe(false);

    // Signing up brings the task screen, in a chunk of its own.
    await page.getByRole("link", { name: "Create an account" }).click();
    await page.getByLabel("Name").fill("Chunk Checker");
    await page.getByLabel("Email").fill(uniqueEmail("chunks"));
    await page.getByLabel("Password").fill("correct-horse-1");
    await page.getByRole("button", { name: "Sign up" }).click();
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    const later = scripts.slice(beforeForm.length);
    expect(later).toEqual([expect.stringMatching(/^\/assets\/tasks-screen-[\w-]+\.js$/)]);
    assertClean();
    await context.close();
  });

  it("says so, with a way out, when the task screen's chunk cannot be loaded", async () => {
    // Without the service worker, which would serve the chunk from its cache (decision 038).
    const { page, context, assertClean, allowConsoleErrors } = await openPage(browser, {
      serviceWorkers: "block",
    });
    await page.route("**/assets/tasks-screen-*.js", (route) => route.abort("internetdisconnected"));
    await page.goto("/sign-up");
    await page.getByLabel("Name").fill("Offline Olga");
    await page.getByLabel("Email").fill(uniqueEmail("chunk-fail"));
    await page.getByLabel("Password").fill("correct-horse-1");
    await allowConsoleErrors([/ERR_INTERNET_DISCONNECTED/], async () => {
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.getByRole("alert").filter({ hasText: "Could not load this screen" }).waitFor();
    });
    await page.unroute("**/assets/tasks-screen-*.js");
    await page.getByRole("button", { name: "Reload" }).click();
    await page.getByRole("textbox", { name: "New task title" }).waitFor();
    assertClean();
    await context.close();
  });

  it("caches hashed assets for good, revalidates the rest, and compresses every text file of the build", async () => {
    const index = await get("/");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    const html = await index.text();
    // The page is built in memory, and compressed once it reaches 1 KiB (decision 051): at about
    // 1,000 bytes today, it goes plain.
    const compressed = new TextEncoder().encode(html).byteLength >= 1024 ? "gzip" : null;
    expect(index.headers.get("content-encoding")).toBe(compressed);
    // The page is never answered with a bare 304: that would drop its Content-Security-Policy.
    const revalidatedIndex = await get("/", { "If-None-Match": "*" });
    expect(revalidatedIndex.status).toBe(200);
    expect(revalidatedIndex.headers.get("content-security-policy")).toContain("script-src 'self'");
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].flatMap((m) =>
      m[1] ? [m[1]] : [],
    );
    const entry = assets.find((path) => path.endsWith(".js"));
    expect(entry).toBeDefined();
    // Chunks loaded later are named in the entry.
    const entryText = await (await get(entry ?? "")).text();
    for (const match of entryText.matchAll(/["`]\.\/([\w-]+\.(?:js|css))["`]/g))
      assets.push(`/assets/${match[1]}`);
    expect(assets.some((path) => path.endsWith(".css"))).toBe(true);
    expect(assets.some((path) => path.includes("tasks-screen"))).toBe(true);

    for (const path of new Set(assets)) {
      const brotli = await get(path);
      expect(brotli.status, path).toBe(200);
      expect(brotli.headers.get("cache-control"), path).toBe("public, max-age=31536000, immutable");
      expect(brotli.headers.get("content-encoding"), path).toBe("br");
      expect(brotli.headers.get("vary"), path).toMatch(/accept-encoding/i);
      const gzip = await get(path, { "Accept-Encoding": "gzip" });
      expect(gzip.headers.get("content-encoding"), path).toBe("gzip");
    }

    // theme-init.js: no hash in its name (it must run before first paint), so a short cache,
    // then a revalidation that costs a 304; compressed although it is only a few hundred bytes.
    const themeInit = await get("/theme-init.js");
    expect(themeInit.headers.get("cache-control")).toBe("public, max-age=600, must-revalidate");
    expect(themeInit.headers.get("content-encoding")).toBe("br");
    const tag = themeInit.headers.get("etag");
    expect(tag).toMatch(/^"[^"]+"$/);
    const again = await get("/theme-init.js", { "If-None-Match": tag ?? "" });
    expect(again.status).toBe(304);
  });
});
