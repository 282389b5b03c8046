import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { onError } from "../../src/http/on-error";
import {
  LEAST_TIME_TO_START_MS,
  REQUEST_TIMEOUT_MS,
  requestDeadline,
} from "../../src/http/request-deadline";
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
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - 1_000);

    // 1 s is left of the 5 s: a route that takes 2 s is cut at 1 s, not at 5 s.
    const pending = appWithRouteTaking(2_000).request("/", {}, { incoming: admitted });
    await vi.advanceTimersByTimeAsync(1_050);
    expect((await pending).status).toBe(503);
  });

  it("answers at once a request with less than LEAST_TIME_TO_START_MS left", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const admitted = arrivedRequest();
    await vi.advanceTimersByTimeAsync(REQUEST_TIMEOUT_MS - LEAST_TIME_TO_START_MS + 1);
    const response = await appWithRouteTaking(0).request("/", {}, { incoming: admitted });
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
  });
});
