import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { etag } from "hono/etag";
import type { AppEnv } from "../app-env";
import { problems } from "../http/problem";

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  // The service worker and the manifest of the installable app (decision 038).
  "worker-src 'self'",
  "manifest-src 'self'",
].join("; ");

/**
 * The service worker's own policy (a worker is governed by the CSP of its script's response,
 * not the page's): it only fetches the app's own files, to precache them. Without it the API's
 * `default-src 'none'` would apply and block every fetch the worker makes.
 */
const SERVICE_WORKER_POLICY = "default-src 'none'; script-src 'self'; connect-src 'self'";
const SERVICE_WORKER_PATH = "/sw.js";
/**
 * The page itself. The service worker stores it as /index.html (its precache list names files):
 * that copy must carry the page's headers, its policy above all, or the page would open offline
 * under the API's `default-src 'none'` and run nothing.
 */
const PAGE_PATHS = new Set(["/", "/index.html"]);

/** A path that names a file (has an extension) rather than a client-side route. */
const FILE_PATH = /\.[a-z0-9]+$/i;
/** Hashed file names change with their content: a browser may keep them for good. */
const HASHED_ASSET_CACHE = "public, max-age=31536000, immutable";
/**
 * Files of the build without a hash in their name (theme-init.js, which blocks first paint):
 * kept a few minutes, then revalidated with their ETag, so a deploy reaches everyone quickly.
 */
const UNHASHED_FILE_CACHE = "public, max-age=600, must-revalidate";

/**
 * The built web app (apps/web/dist): hashed assets cached for a year, other files briefly, and
 * index.html (never cached without asking) for every other GET that is not an API path or a file,
 * so client-side routes survive a reload. Text files are served in the `.br`/`.gz` the web build
 * writes beside them (decision 023). Mounted last; without a build it serves nothing and the API
 * works on its own.
 */
export function spaRoutes(distDir: string) {
  const app = new Hono<AppEnv>();
  const indexFile = join(distDir, "index.html");
  if (!existsSync(indexFile)) return app;
  const indexHtml = readFileSync(indexFile, "utf8");

  app.use(
    "/assets/*",
    serveStatic({
      root: distDir,
      precompressed: true,
      onFound: (_path, c) => c.header("Cache-Control", HASHED_ASSET_CACHE),
    }),
  );
  // The service worker is checked for updates on every visit: never kept by HTTP caches, and
  // without an ETag, since a 304 would carry none of its headers (its policy above all).
  // Set once the file is served (not in onFound, which runs after the body is made: headers set
  // there are lost when no precompressed copy is sent, e.g. through app.request in tests).
  app.use(
    SERVICE_WORKER_PATH,
    async (c, next) => {
      await next();
      if (!c.res.ok) return;
      c.header("Cache-Control", "no-cache");
      c.header("Content-Security-Policy", SERVICE_WORKER_POLICY);
    },
    serveStatic({ root: distDir, precompressed: true }),
  );
  // Other files of the build (theme-init.js, the manifest, icons); "/" itself goes to index.html.
  const files = serveStatic<AppEnv>({
    root: distDir,
    precompressed: true,
    onFound: (_path, c) => c.header("Cache-Control", UNHASHED_FILE_CACHE),
  });
  // Files without a hash can change in place: after its max-age, an ETag lets the browser
  // revalidate with a 304 instead of the body. Not index.html: a 304 carries none of the page's
  // headers, and the browser would then apply the API's `default-src 'none'` policy to the page.
  const revalidated = etag();
  const isUnhashedFile = (path: string) =>
    !path.startsWith("/assets/") &&
    path !== SERVICE_WORKER_PATH &&
    !PAGE_PATHS.has(path) &&
    FILE_PATH.test(path);
  app.use("*", (c, next) => (isUnhashedFile(c.req.path) ? revalidated(c, next) : next()));
  app.use("*", (c, next) => (PAGE_PATHS.has(c.req.path) ? next() : files(c, next)));
  app.get("*", (c) => {
    const path = c.req.path;
    if (path.startsWith("/api/") || (FILE_PATH.test(path) && !PAGE_PATHS.has(path))) {
      throw problems.notFound(`No route for GET ${path}.`);
    }
    c.header("Cache-Control", "no-cache");
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    return c.html(indexHtml);
  });
  return app;
}
