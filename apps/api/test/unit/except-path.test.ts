import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { exceptPath } from "../../src/http/except-path";
import { EVENT_STREAM_PATHS } from "../../src/sync/event-stream";

/** An app whose middleware marks the answers it ran on, except on the event stream's paths. */
function markedApp() {
  const app = new Hono();
  app.use(
    exceptPath(EVENT_STREAM_PATHS, async (c, next) => {
      await next();
      c.header("X-Marked", "yes");
    }),
  );
  app.get("*", (c) => c.text("ok"));
  return app;
}

describe("exceptPath", () => {
  it("skips the middleware on the event stream, and only there", async () => {
    const app = markedApp();
    const marked = async (path: string) => (await app.request(path)).headers.get("x-marked");
    expect(await marked("/api/user-1/events")).toBeNull();
    expect(await marked("/api/abc%2Fdef/events")).toBeNull();
    for (const path of [
      "/api/user-1/tasks",
      "/api/user-1/tasks/events",
      "/api/user-1/events/more",
      "/api/events",
      "/health",
    ]) {
      expect(await marked(path), path).toBe("yes");
    }
  });

  it("lets the middleware answer by itself where it runs", async () => {
    const app = new Hono();
    app.use(exceptPath(/^\/skipped$/, (c) => Promise.resolve(c.text("refused", 403))));
    app.get("*", (c) => c.text("ok"));
    expect((await app.request("/other")).status).toBe(403);
    expect((await app.request("/skipped")).status).toBe(200);
  });
});
