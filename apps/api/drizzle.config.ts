import { defineConfig } from "drizzle-kit";

// Generates versioned SQL migrations from src/db/schema.ts: `npm run db:generate -w apps/api`.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
