import type { IncomingMessage, ServerResponse } from "node:http";
import { Hono } from "hono";
import pino from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { readBodiesFirst } from "../../src/http/admission";
import { requestLog } from "../../src/http/request-log";

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

    let admitted: IncomingMessage | undefined;
    readBodiesFirst((request) => {
      admitted = request;
    }, 0)(
      { method: "GET", url: "/", headers: {}, socket: { destroyed: false } } as IncomingMessage,
      { destroyed: false, once: () => {} } as unknown as ServerResponse,
    );
    await vi.advanceTimersByTimeAsync(250);
    expect((await app.request("/", {}, { incoming: admitted })).status).toBe(200);

    expect(lines).toHaveLength(1);
    expect(lines[0]?.responseTime).toBeGreaterThanOrEqual(250);
    expect(observed[0]).toBeGreaterThanOrEqual(0.25);
  });
});
