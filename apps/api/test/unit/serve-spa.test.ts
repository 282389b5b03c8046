import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { spaRoutes } from "../../src/web/serve-spa";

const dist = mkdtempSync(join(tmpdir(), "spa-"));
writeFileSync(join(dist, "index.html"), "<!doctype html><title>Todo</title>");
writeFileSync(join(dist, "sw.js"), "self.addEventListener('fetch', () => {});");
writeFileSync(join(dist, "manifest.webmanifest"), '{"name":"Todo"}');
afterAll(() => rmSync(dist, { recursive: true, force: true }));

/**
 * The web app as app.ts mounts it. Its pages set their own policy, which replaces the API's
 * (`default-src 'none'`, set on the Node response: test/process/http-wire.test.ts).
 */
function app() {
  const root = new Hono<AppEnv>();
  root.route("/", spaRoutes(dist));
  return root;
}

describe("the installable web app's files (decision 038)", () => {
  it("serves the service worker uncached, without an ETag, under a policy that lets it fetch", async () => {
    const response = await app().request("/sw.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/javascript/);
    expect(response.headers.get("cache-control")).toBe("no-cache");
    expect(response.headers.get("etag")).toBeNull();
    expect(response.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; connect-src 'self'",
    );
  });

  it("serves /index.html (the worker's copy of the page) exactly like /", async () => {
    const page = await app().request("/");
    const copy = await app().request("/index.html?__WB_REVISION__=abc");
    expect(copy.status).toBe(200);
    expect(await copy.text()).toBe(await page.text());
    for (const header of ["content-security-policy", "cache-control", "etag"]) {
      expect(copy.headers.get(header), header).toBe(page.headers.get(header));
    }
    expect(page.headers.get("content-security-policy")).toContain("worker-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("manifest-src 'self'");
  });

  it("serves the manifest as application/manifest+json", async () => {
    const response = await app().request("/manifest.webmanifest");
    expect(response.headers.get("content-type")).toMatch(/^application\/manifest\+json/);
  });
});
