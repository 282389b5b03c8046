import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
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
].join("; ");

/**
 * The built web app (apps/web/dist): hashed assets cached for a year, and index.html for every
 * other GET that is not an API path or a file, so client-side routes survive a reload.
 * Mounted last; without a build it serves nothing and the API works on its own.
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
      onFound: (_path, c) => c.header("Cache-Control", "public, max-age=31536000, immutable"),
    }),
  );
  // Other files of the build (favicon, robots.txt); "/" itself goes to index.html below, with CSP.
  const files = serveStatic<AppEnv>({ root: distDir });
  app.use("*", (c, next) => (c.req.path === "/" ? next() : files(c, next)));
  app.get("*", (c) => {
    const path = c.req.path;
    if (path.startsWith("/api/") || /\.[a-z0-9]+$/i.test(path)) {
      throw problems.notFound(`No route for GET ${path}.`);
    }
    c.header("Cache-Control", "no-cache");
    c.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    return c.html(indexHtml);
  });
  return app;
}
