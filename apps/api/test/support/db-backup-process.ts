import { spawn } from "node:child_process";
import { join } from "node:path";
import { apiRoot, bareEnv, serverEntry } from "./server-process";

/** dist/db-backup.js, built with dist/index.js by test/setup/build-server.ts. */
export const dbBackupEntry = join(apiRoot, "dist", "db-backup.js");

export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end with only the given variables (on top of bareEnv()). */
export function runCommand(
  command: string,
  args: string[],
  env: Record<string, string>,
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? apiRoot,
      env: { ...bareEnv(), ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${args.join(" ")} did not finish in time:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs a node entry point (or node with any arguments) to its end. */
export const runNode = (
  args: string[],
  env: Record<string, string>,
  options?: { cwd?: string; timeoutMs?: number },
) => runCommand(process.execPath, args, env, options);

/** `db-backup.js backup|restore FILE [--force]`; `env` names DATA_DIR (or DATABASE_URL). */
export const dbBackup = (args: string[], env: Record<string, string>) =>
  runNode([dbBackupEntry, ...args], { LOG_LEVEL: "warn", ...env });

/** `index.js migrate`: creates and migrates the embedded database of DATA_DIR, then exits. */
export const migrateDataDir = (dataDir: string) =>
  runNode([serverEntry, "migrate"], { DATA_DIR: dataDir, LOG_LEVEL: "warn" });
