import { describe, expect, it } from "vitest";
import { parseNextCursor, toListParams } from "./get-tasks";
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
});
