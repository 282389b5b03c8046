import { describe, expect, it } from "vitest";
import { createApiClient } from "@/lib/api-client";
import { fakeJwt, json } from "@/test/fake-api";
import { getTasks, parseNextCursor, toListParams } from "./get-tasks";
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
