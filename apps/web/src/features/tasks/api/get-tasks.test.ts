import { describe, expect, it } from "vitest";
import { createApiClient } from "@/lib/api-client";
import { fakeJwt, json } from "@/test/fake-api";
import { getTasks, parseNextCursor, parseTotal, toListParams } from "./get-tasks";
import { defaultTaskFilters } from "./task-keys";

describe("task list paging and filters", () => {
  it("takes the cursor from the Link header's next URL", () => {
    expect(parseNextCursor('</api/u/tasks?limit=50&cursor=abc%3D%3D>; rel="next"')).toBe("abc==");
    expect(
      parseNextCursor(
        '<http://x/api/u/tasks?cursor=zz>; rel="prev", <http://x/api/u/tasks?cursor=n1>; rel="next"',
      ),
    ).toBe("n1");
    expect(parseNextCursor(null)).toBeNull();
  });
  it("maps filters to query parameters with each sort's natural order", () => {
    expect(toListParams(defaultTaskFilters)).toEqual({
      status: "all",
      sort: "created",
      order: "desc",
      limit: 50,
    });
    expect(
      toListParams({
        status: "pending",
        q: " milk ",
        priority: "high",
        tag: "home",
        sort: "due_date",
      }),
    ).toEqual({
      status: "pending",
      q: "milk",
      priority: "high",
      tag: "home",
      sort: "due_date",
      order: "asc",
      limit: 50,
    });
  });

  it("reads X-Total-Count as exact, or as a lower bound when it ends with +", () => {
    const page = { tasks: 50, hasMore: true };
    expect(parseTotal("57", page)).toEqual({ total: 57, totalAtLeast: false });
    expect(parseTotal("0", { tasks: 0, hasMore: false })).toEqual({
      total: 0,
      totalAtLeast: false,
    });
    expect(parseTotal("100+", page)).toEqual({ total: 100, totalAtLeast: true });
    expect(parseTotal("3+", page)).toEqual({ total: 3, totalAtLeast: true });
  });

  it("falls back to the page's tasks when X-Total-Count is missing or unreadable", () => {
    for (const header of [null, "", "many", "-1", "1e3", "12.5", "+5"]) {
      expect(parseTotal(header, { tasks: 50, hasMore: true }), String(header)).toEqual({
        total: 50,
        totalAtLeast: true,
      });
      expect(parseTotal(header, { tasks: 7, hasMore: false }), String(header)).toEqual({
        total: 7,
        totalAtLeast: false,
      });
    }
  });

  it("returns a capped total from the server as a lower bound", async () => {
    const api = createApiClient({
      fetch: async (input) => {
        if (String(input).endsWith("/token"))
          return json({ token: fakeJwt(Math.floor(Date.now() / 1000) + 3600) });
        return json([], 200, {
          "X-Total-Count": "100+",
          Link: '</api/user-1/tasks?q=a&cursor=c1>; rel="next"',
        });
      },
    });
    const page = await getTasks(api, "user-1", { q: "a" });
    expect(page).toEqual({ tasks: [], total: 100, totalAtLeast: true, nextCursor: "c1" });
  });

  it("passes the query's abort signal on to fetch", async () => {
    const signals: (AbortSignal | null | undefined)[] = [];
    const api = createApiClient({
      fetch: async (input, init) => {
        if (String(input).endsWith("/token"))
          return json({ token: fakeJwt(Math.floor(Date.now() / 1000) + 3600) });
        signals.push(init?.signal);
        return json([], 200, { "X-Total-Count": "0" });
      },
    });
    const controller = new AbortController();
    await getTasks(api, "user-1", { status: "all" }, controller.signal);
    expect(signals).toEqual([controller.signal]);
  });
});
