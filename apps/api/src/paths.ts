import { fileURLToPath } from "node:url";

// This file sits one level below the package root both as source (src/paths.ts) and once bundled
// (dist/index.js), so the same relative URLs are right in development, tests and production.
const packageRoot = new URL("../", import.meta.url);

export const paths = {
  migrations: fileURLToPath(new URL("drizzle", packageRoot)),
  webDist: fileURLToPath(new URL("../web/dist", packageRoot)),
};
