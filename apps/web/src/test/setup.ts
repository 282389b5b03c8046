import "@testing-library/jest-dom/vitest";
// IndexedDB for the offline cache and outbox (decision 038); jsdom has none.
import "fake-indexeddb/auto";
import { cleanup } from "@testing-library/react";
import { clear } from "idb-keyval";
import { afterEach, beforeEach, vi } from "vitest";
import { offlineDatabase } from "@/lib/offline-data";

// A stray console.error (React warnings, act() warnings, failed prop types…) fails the test.
let consoleErrors: unknown[][] = [];
beforeEach(() => {
  consoleErrors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    consoleErrors.push(args);
  });
});

afterEach(async () => {
  cleanup();
  await Promise.all([clear(offlineDatabase("outbox")), clear(offlineDatabase("query-cache"))]);
  // The remembered session (decision 038) must not carry over into the next test.
  localStorage.clear();
  const errors = consoleErrors;
  consoleErrors = [];
  if (errors.length > 0) {
    throw new Error(
      `console.error was called:\n${errors.map((args) => args.map(String).join(" ")).join("\n")}`,
    );
  }
});
