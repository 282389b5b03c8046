import pg from "pg";
import type { TestProject } from "vitest/node";
import { usePostgres } from "../../src/db/client";
import { runMigrations } from "../../src/db/migrate";
import { postgresTestUrl, withDatabase } from "../support/postgres-url";

/**
 * Creates a migrated template database on the test server; every test file then gets its own
 * `CREATE DATABASE … TEMPLATE`, and all of them are dropped at the end.
 */
export default async function setup(project: TestProject) {
  const adminUrl = postgresTestUrl();
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await admin.connect();
  const prefix = `todo_test_${process.pid}_${Date.now().toString(36)}`;
  const template = `${prefix}_template`;
  await admin.query(`create database "${template}"`);
  const handle = usePostgres(withDatabase(adminUrl, template));
  await runMigrations(handle);
  await handle.close();
  project.provide("testDatabase", { kind: "postgres", adminUrl, template, prefix });

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      "select datname from pg_database where datname like $1",
      [`${prefix}%`],
    );
    for (const { datname } of rows)
      await admin.query(`drop database if exists "${datname}" with (force)`);
    await admin.end();
  };
}
