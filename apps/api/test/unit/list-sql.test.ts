import { describe, expect, it } from "vitest";
import { formatTotal } from "../../src/tasks/count-tasks";
import { searchUsesIndex } from "../../src/tasks/list-sql";

describe("searchUsesIndex: whether pg_trgm can take a trigram from the search", () => {
  it("is true with three letters or digits in a row, in any script", () => {
    for (const q of [
      "abc",
      "milk run",
      "a-b-cde",
      "2026",
      "日本語",
      "Éclair",
      "x%xyz_1",
      "e\u0301cole",
    ]) {
      expect(searchUsesIndex(q), q).toBe(true);
    }
  });

  it("is false without: short terms, separators between letters, punctuation only", () => {
    for (const q of ["a", "ab", "a b c", "a-b", "%", "_", "\\", "%%%", "会議", "ab\u0301c"]) {
      expect(searchUsesIndex(q), q).toBe(false);
    }
  });

  it("is true when there is no search at all (the other filters have indexes)", () => {
    expect(searchUsesIndex(undefined)).toBe(true);
  });
});

describe("formatTotal: the X-Total-Count header", () => {
  it("is the number when exact, the number and + when a lower bound", () => {
    expect(formatTotal({ count: 57, atLeast: false })).toBe("57");
    expect(formatTotal({ count: 0, atLeast: false })).toBe("0");
    expect(formatTotal({ count: 100, atLeast: true })).toBe("100+");
    expect(formatTotal({ count: 2, atLeast: true })).toBe("2+");
  });
});
