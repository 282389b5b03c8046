import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { onError } from "../../src/http/on-error";
import { REQUEST_TIMEOUT_MS, requestDeadline } from "../../src/http/request-deadline";

function appWithRouteTaking(ms: number) {
  const app = new Hono();
  app.use(requestDeadline());
  app.get("/", async (c) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return c.json({ done: true });
  });
  app.onError(onError);
  return app;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the request deadline", () => {
  it("answers 503 problem+json with Retry-After when a request outlives REQUEST_TIMEOUT_MS", async () => {
    vi.useFakeTimers();
    const pending = appWithRouteTaking(REQUEST_TIMEOUT_MS * 3).request("/");
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await response.json()).toMatchObject({ status: 503, title: "Service Unavailable" });
  });

  it("lets a request that finishes in time through untouched", async () => {
    vi.useFakeTimers();
    const pending = appWithRouteTaking(REQUEST_TIMEOUT_MS - 100).request("/");
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS);
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ done: true });
  });
});
