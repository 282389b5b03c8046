import { Hono } from "hono";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { requestLog } from "../../src/http/request-log";
import { arrivedRequest } from "../support/arrived-request";

afterEach(() => {
  vi.useRealTimers();
});

describe("the request log", () => {
  it("times a request from its arrival, the wait for its turn included", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "performance"] });
    const lines: { responseTime: number }[] = [];
    const logger = pino(
      { level: "info" },
      { write: (line: string) => lines.push(JSON.parse(line)) },
    );
    const observed: number[] = [];
    const app = new Hono<AppEnv>();
    app.use(requestLog(logger, { observe: (_m, _r, _s, seconds) => observed.push(seconds) }));
    app.get("/", (c) => c.text("ok"));

    const admitted = arrivedRequest();
    await vi.advanceTimersByTimeAsync(250);
    expect((await app.request("/", {}, { incoming: admitted })).status).toBe(200);

    expect(lines).toHaveLength(1);
    expect(lines[0]?.responseTime).toBeGreaterThanOrEqual(250);
    expect(observed[0]).toBeGreaterThanOrEqual(0.25);
  });
});
