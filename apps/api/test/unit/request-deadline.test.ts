import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { onError } from "../../src/http/on-error";
import { REQUEST_TIMEOUT_MS, requestDeadline } from "../../src/http/request-deadline";
import { arrivedRequest } from "../support/arrived-request";

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

  it("counts the time a request waited for its turn (admission.ts) from its arrival", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const admitted = arrivedRequest();
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 200);

    // 200 ms are left of the 5 s: a route that takes 1 s is cut at 200, not at 5 s.
    const pending = appWithRouteTaking(1_000).request("/", {}, { incoming: admitted });
    await vi.advanceTimersByTimeAsync(250);
    expect((await pending).status).toBe(503);
  });

  it("answers at once a request that waited longer than REQUEST_TIMEOUT_MS", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const admitted = arrivedRequest();
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS + 1);
    const response = await appWithRouteTaking(0).request("/", {}, { incoming: admitted });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});
