import { describe, expect, it } from "vitest";
import {
  CRASH_WINDOW_MS,
  createRestartPolicy,
  FIRST_RESTART_DELAY_MS,
  MAX_CRASHES_IN_WINDOW,
  MAX_RESTART_DELAY_MS,
} from "../../src/cluster/restart-policy";

describe("the restart policy of cluster workers", () => {
  it("replaces a worker that died once at once, almost", () => {
    const next = createRestartPolicy();
    expect(next(0)).toEqual({ restart: true, delayMs: FIRST_RESTART_DELAY_MS, crashes: 1 });
  });

  it("doubles the wait with each exit within the window, up to its cap", () => {
    const next = createRestartPolicy();
    const delays = Array.from({ length: MAX_CRASHES_IN_WINDOW }, (_, index) => {
      const decision = next(index * 1_000);
      return decision.restart ? decision.delayMs : undefined;
    });
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 800]);
    expect(Math.max(...delays.map(Number))).toBe(MAX_RESTART_DELAY_MS);
    expect(delays).toEqual([...delays].sort((a = 0, b = 0) => a - b));
  });

  it("gives up on a crash loop: one exit more than the cap within the window", () => {
    const next = createRestartPolicy();
    for (let index = 0; index < MAX_CRASHES_IN_WINDOW; index += 1) {
      expect(next(index).restart).toBe(true);
    }
    expect(next(MAX_CRASHES_IN_WINDOW)).toEqual({
      restart: false,
      crashes: MAX_CRASHES_IN_WINDOW + 1,
    });
  });

  it("forgets exits older than the window: a server that crashes once an hour is never given up", () => {
    const next = createRestartPolicy();
    for (let hour = 0; hour < 3 * MAX_CRASHES_IN_WINDOW; hour += 1) {
      expect(next(hour * 3_600_000)).toEqual({
        restart: true,
        delayMs: FIRST_RESTART_DELAY_MS,
        crashes: 1,
      });
    }
    const spaced = createRestartPolicy();
    spaced(0);
    expect(spaced(CRASH_WINDOW_MS - 1)).toMatchObject({ crashes: 2 });
    expect(spaced(2 * CRASH_WINDOW_MS - 1)).toMatchObject({ crashes: 1 });
  });
});
