import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const CHROMIUM_PATH = "/usr/bin/chromium";
export const webRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoRoot = join(webRoot, "..", "..");
/** CI artifacts (gitignored). */
export const screenshotDir = join(repoRoot, "artifacts", "screenshots");
/** Committed screenshots for the README. */
export const docsScreenshotDir = join(repoRoot, "docs", "screenshots");
