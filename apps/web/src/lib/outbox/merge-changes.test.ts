import { describe, expect, it } from "vitest";
import { makeTask } from "@/test/fake-api";
import { mergeChanges } from "./merge-changes";

describe("mergeChanges after a 412", () => {
  const current = makeTask({
    title: "Buy oat milk",
    priority: "high",
    tags: ["home", "shop"],
    due_date: null,
  });

  it("re-applies a change to a field nobody else touched", () => {
    const merged = mergeChanges({ description: null }, { description: "2 litres" }, current);
    expect(merged).toEqual({ apply: { description: "2 litres" }, conflicts: [] });
  });

  it("keeps the server's value where both sides changed a field, and says which", () => {
    const merged = mergeChanges(
      { title: "Buy milk", priority: "medium" },
      { title: "Buy soy milk", priority: "high" },
      current,
    );
    // priority: the server already has what the user chose; title: changed elsewhere too.
    expect(merged).toEqual({ apply: {}, conflicts: ["title"] });
  });

  it("compares lists by value, not identity", () => {
    expect(mergeChanges({ tags: ["home"] }, { tags: ["home", "shop"] }, current)).toEqual({
      apply: {},
      conflicts: [],
    });
    expect(mergeChanges({ tags: ["home", "shop"] }, { tags: ["work"] }, current)).toEqual({
      apply: { tags: ["work"] },
      conflicts: [],
    });
  });

  it("treats a cleared field (null) and an unset base alike", () => {
    expect(
      mergeChanges({ due_date: null }, { due_date: "2026-12-01T00:00:00.000Z" }, current),
    ).toEqual({ apply: { due_date: "2026-12-01T00:00:00.000Z" }, conflicts: [] });
  });
});
