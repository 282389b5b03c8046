// `npm run db:backup -- FILE` and `npm run db:restore -- FILE` (decision 033); in the container
// image, `node apps/api/dist/db-backup.js backup FILE`. The embedded PGlite database only.
import { isAbsolute, resolve } from "node:path";
import { parseArgs } from "node:util";
import { backUp } from "./backup/back-up";
import { CommandFailed } from "./backup/command-failed";
import { restore } from "./backup/restore";
import { ConfigError, loadConfig, loadDotEnvFile } from "./env";

const USAGE = `Usage:
  npm run db:backup -- FILE [--force]    copy the embedded database (DATA_DIR) into FILE (.tar.gz);
                                         works while the server runs; --force replaces FILE
  npm run db:restore -- FILE [--force]   make FILE the embedded database of an empty DATA_DIR
                                         (the server stopped); --force moves the current one aside`;

const print = (text: string) => process.stdout.write(`${text}\n`);

class UsageError extends Error {}

function readArguments(argv: string[]) {
  const [command, ...rest] = argv;
  if (command !== "backup" && command !== "restore") {
    throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}`);
  }
  const parsed = (() => {
    try {
      return parseArgs({
        args: rest,
        options: { force: { type: "boolean" } },
        allowPositionals: true,
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  })();
  const [file, ...extra] = parsed.positionals;
  if (!file) throw new UsageError(`${command} needs the backup FILE`);
  if (extra.length > 0) throw new UsageError(`one FILE only (also given: ${extra.join(" ")})`);
  return { command, file, force: parsed.values.force ?? false };
}

const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function run(argv: string[]): Promise<void> {
  const args = readArguments(argv);
  loadDotEnvFile();
  const config = loadConfig();
  if (config.databaseUrl) {
    throw new CommandFailed(
      args.command === "backup"
        ? 'DATABASE_URL is set: the data is in PostgreSQL, not in the embedded database this command copies. Back it up with PostgreSQL\'s own tool, e.g. pg_dump -Fc "$DATABASE_URL" -f todo.dump (README, "Backups").'
        : 'DATABASE_URL is set: the data is in PostgreSQL, not in the embedded database this command restores. Restore a pg_dump file with pg_restore, e.g. pg_restore --no-owner -d "$DATABASE_URL" todo.dump (README, "Backups").',
    );
  }
  // Relative to where `npm run` was started, like DATA_DIR.
  const file = isAbsolute(args.file) ? args.file : resolve(config.baseDir, args.file);
  const options = { dataDir: config.dataDir, file, force: args.force };

  if (args.command === "backup") {
    const result = await backUp(options);
    print(
      `Backed up ${config.dataDir} (${result.source === "server" ? "from the running server" : "no server running"}) to ${file}, ${megabytes(result.bytes)}.`,
    );
    print(
      result.withAuthSecret
        ? "It holds the password hashes, sessions, signing keys and the generated auth secret: keep it private."
        : "It holds the password hashes, sessions and signing keys: keep it private. BETTER_AUTH_SECRET is not in it: a restored server needs the same one.",
    );
    return;
  }

  const result = await restore(options);
  print(
    `Restored ${file} (made ${result.manifest.createdAt}) into ${config.dataDir}: ${result.users} users, ${result.tasks} tasks.`,
  );
  for (const path of result.setAside)
    print(`Moved aside: ${path} (delete it once you are satisfied).`);
  if (!result.withAuthSecret) {
    print(
      "The backup holds no auth secret: start the server with the BETTER_AUTH_SECRET of the server that made it, or its tokens and signing keys cannot be used.",
    );
  }
  print("Start the server as usual (npm start).");
}

// A failure inside PGlite can surface as a stray rejection: report it like any other.
process.on("unhandledRejection", (reason) => {
  console.error(`db:${process.argv[2] ?? "backup"} failed: ${(reason as Error).message ?? reason}`);
  process.exit(1);
});

try {
  await run(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof CommandFailed || error instanceof ConfigError) {
    console.error(`db:${process.argv[2]} failed: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
