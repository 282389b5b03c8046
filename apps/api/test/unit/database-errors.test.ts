import { Hono } from "hono";
import pino from "pino";
import { beforeEach, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { onError } from "../../src/http/on-error";
import { requestLog } from "../../src/http/request-log";

// What a request answers when its statement fails in the database: the driver's error arrives
// wrapped by Drizzle ("Failed query: …", the driver's error as its cause), as in production.

/** Log lines of the failures, by message: what an operator would see. */
const logged: { level: number; msg: string }[] = [];
const logger = pino({ level: "info" }, { write: (line: string) => logged.push(JSON.parse(line)) });
beforeEach(() => {
  logged.length = 0;
});

function appFailingWith(code: string) {
  const app = new Hono<AppEnv>();
  app.use(requestLog(logger));
  app.get("/", () => {
    const driverError = Object.assign(new Error(`database error ${code}`), { code });
    throw new Error("Failed query: select 1", { cause: driverError });
  });
  app.onError(onError);
  return app;
}

describe("a statement that failed in the database", () => {
  it.each([
    ["40P01", "a deadlock"],
    ["40001", "a serialization failure"],
  ])("answers %s (%s) with 503 problem+json and Retry-After, not a 500", async (code) => {
    const response = await appFailingWith(code).request("/");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(response.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await response.json()).toMatchObject({
      status: 503,
      detail: "The request collided with another one; retry shortly.",
    });
    // Still an error in the log: statements are written not to deadlock.
    expect(logged.filter((line) => line.msg === "transaction conflict").at(-1)?.level).toBe(50);
  });

  it("answers a value the database refused (22P02) with 422", async () => {
    expect((await appFailingWith("22P02").request("/")).status).toBe(422);
  });

  it("answers anything else (a unique violation, 23505) with 500", async () => {
    const response = await appFailingWith("23505").request("/");
    expect(response.status).toBe(500);
    expect(response.headers.get("retry-after")).toBeNull();
  });
});
