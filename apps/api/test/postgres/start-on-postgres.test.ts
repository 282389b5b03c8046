import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { expect, inject, it } from "vitest";
import { withDatabase } from "../support/postgres-url";

const apiRoot = fileURLToPath(new URL("../../", import.meta.url));

function postgresInfo() {
  const provided = inject("testDatabase");
  if (provided.kind !== "postgres") throw new Error("this file belongs to the postgres project");
  return provided;
}

it("the server starts on an empty PostgreSQL from DATABASE_URL, migrates it, and serves", async () => {
  const info = postgresInfo();
  const name = `${info.prefix}_start_${randomUUID().replaceAll("-", "").slice(0, 8)}`;
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();

  const child = spawn(process.execPath, ["--import", "tsx", "src/index.ts"], {
    cwd: apiRoot,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: withDatabase(info.adminUrl, name),
      BETTER_AUTH_SECRET: "a-secret-for-this-test-only-0123456789abcdef",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  try {
    // The listening line carries the port the system chose.
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${output}`)), 30_000);
      child.stdout.on("data", (chunk) => {
        output += chunk;
        const match = /"port":(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}:\n${output}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    expect(output).toContain('"database":"postgres"');
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  } finally {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}, 60_000);
