import { describe, expect, it } from "vitest";
import { emptyTaskForm, isOverdue, parseTags, toTaskInput, validateTaskForm } from "./task-form";

describe("task form validation", () => {
  it("refuses an empty or blank title", () => {
    expect(validateTaskForm({ ...emptyTaskForm, title: "" }).title).toBe("Enter a title.");
    expect(validateTaskForm({ ...emptyTaskForm, title: "   " }).title).toBe("Enter a title.");
  });
  it("accepts a title of 200 characters and refuses 201 with how many are too many", () => {
    expect(validateTaskForm({ ...emptyTaskForm, title: "a".repeat(200) })).toEqual({});
    expect(validateTaskForm({ ...emptyTaskForm, title: "a".repeat(201) }).title).toBe(
      "Keep the title to 200 characters: it has 201, 1 too many.",
    );
  });
  it("counts the title after trimming, as the server does", () => {
    expect(validateTaskForm({ ...emptyTaskForm, title: `  ${"a".repeat(200)}  ` })).toEqual({});
  });
  it("counts UTF-16 code units like the server's Zod .max(): an emoji counts two", () => {
    expect(validateTaskForm({ ...emptyTaskForm, title: "👍".repeat(100) })).toEqual({});
    expect(
      validateTaskForm({ ...emptyTaskForm, title: `${"👍".repeat(100)}a` }).title,
    ).toBeDefined();
  });
  it("limits tags to 10 distinct tags of at most 32 characters", () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `t${i}`).join(",");
    expect(validateTaskForm({ ...emptyTaskForm, title: "x", tags: eleven }).tags).toBe(
      "Use at most 10 tags (there are 11).",
    );
    expect(validateTaskForm({ ...emptyTaskForm, title: "x", tags: "a".repeat(32) })).toEqual({});
    expect(validateTaskForm({ ...emptyTaskForm, title: "x", tags: "a".repeat(33) }).tags).toBe(
      "Each tag can have at most 32 characters: “aaaaaaaaaaaa…” has 33.",
    );
    expect(validateTaskForm({ ...emptyTaskForm, title: "x", tags: "a, a, a" })).toEqual({});
  });
  it("refuses a description over 1000 characters", () => {
    expect(
      validateTaskForm({ ...emptyTaskForm, title: "x", description: "d".repeat(1000) }),
    ).toEqual({});
    expect(
      validateTaskForm({ ...emptyTaskForm, title: "x", description: "d".repeat(1001) }).description,
    ).toBe("Keep the description to 1000 characters: it has 1001, 1 too many.");
  });
  it("builds a trimmed request body", () => {
    expect(
      toTaskInput({
        title: "  Buy milk ",
        description: "  ",
        priority: "high",
        tags: " home, ,shop,home",
        dueDate: "",
      }),
    ).toEqual({
      title: "Buy milk",
      description: null,
      priority: "high",
      tags: ["home", "shop"],
      due_date: null,
    });
  });
  it("turns a due date into the end of that local day", () => {
    const input = toTaskInput({ ...emptyTaskForm, title: "x", dueDate: "2026-12-01" });
    const due = new Date(input.due_date ?? "");
    expect([due.getFullYear(), due.getMonth(), due.getDate(), due.getHours()]).toEqual([
      2026, 11, 1, 23,
    ]);
  });
  it("splits tags", () => {
    expect(parseTags("")).toEqual([]);
  });
  it("shows a task as overdue only when due in the past and not completed", () => {
    const now = Date.UTC(2026, 10, 23);
    expect(isOverdue({ due_date: "2026-11-22T00:00:00Z", completed: false }, now)).toBe(true);
    expect(isOverdue({ due_date: "2026-11-22T00:00:00Z", completed: true }, now)).toBe(false);
    expect(isOverdue({ due_date: "2026-11-24T00:00:00Z", completed: false }, now)).toBe(false);
    expect(isOverdue({ due_date: null, completed: false }, now)).toBe(false);
  });
});
