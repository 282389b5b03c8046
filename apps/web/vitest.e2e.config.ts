import { defineConfig } from "vitest/config";

/** Browser journeys: builds the app, starts the real API server, drives Debian's Chromium. */
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["./e2e/global-setup.ts"],
    // One server and one browser per file; two cores: run the files one after another.
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    allowOnly: false,
  },
});
