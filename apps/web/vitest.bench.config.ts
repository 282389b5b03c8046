import { defineConfig } from "vitest/config";

/** `npm run bench -w apps/web`: first-load figures in Chromium against the built server. */
export default defineConfig({
  test: {
    environment: "node",
    include: ["e2e/**/*.bench.ts"],
    globalSetup: ["./e2e/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 300_000,
    hookTimeout: 120_000,
    allowOnly: false,
  },
});
