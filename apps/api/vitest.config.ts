import pg from "pg";
import { defineConfig, type TestProjectInlineConfiguration } from "vitest/config";
import { postgresTestUrl } from "./test/support/postgres-url.ts";

/**
 * Four projects: unit tests, the built server as a process, and the same API suite on PGlite and
 * on real PostgreSQL.
 * Without a reachable Postgres the last is left out with a printed reason, except in CI, where it
 * stays in and fails.
 */
async function postgresUnavailable(): Promise<string | undefined> {
  const client = new pg.Client({
    connectionString: postgresTestUrl(),
    connectionTimeoutMillis: 3_000,
  });
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    return `${postgresTestUrl().replace(/:[^:@/]*@/, ":***@")}: ${(error as Error).message}`;
  } finally {
    await client.end().catch(() => {});
  }
}

const apiSuite = (
  name: string,
  globalSetup: string,
  include = ["test/api/**/*.test.ts"],
): TestProjectInlineConfiguration => ({
  extends: true,
  test: { name, include, globalSetup: [globalSetup] },
});

export default defineConfig(async () => {
  const unavailable = await postgresUnavailable();
  const projects: TestProjectInlineConfiguration[] = [
    { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
    {
      extends: true,
      test: {
        name: "process",
        include: ["test/process/**/*.test.ts"],
        globalSetup: ["./test/setup/build-server.ts"],
        // Its Postgres tests skip with this reason outside CI, and fail in CI (see server-process.ts).
        provide: { postgresUnavailable: unavailable && !process.env.CI ? unavailable : "" },
      },
    },
    apiSuite("pglite", "./test/setup/pglite-template.ts", [
      "test/api/**/*.test.ts",
      "test/pglite/**/*.test.ts",
    ]),
  ];
  if (unavailable && !process.env.CI) {
    console.warn(`\n[vitest] SKIPPING the PostgreSQL project: cannot connect to ${unavailable}.\n`);
  } else {
    projects.push(
      apiSuite("postgres", "./test/setup/postgres-template.ts", [
        "test/api/**/*.test.ts",
        "test/postgres/**/*.test.ts",
      ]),
    );
  }
  return {
    test: {
      projects,
      setupFiles: ["./test/setup/fail-on-console-error.ts"],
      testTimeout: 20_000,
      hookTimeout: 60_000,
      pool: "forks",
    },
  };
});
