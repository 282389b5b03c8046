import { readdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { authSecretFile } from "../auth/secret";
import { createPglite, pgliteDirectory } from "../db/client";
import {
  type BackupContents,
  type BackupManifest,
  decodeBackup,
  UnusableBackup,
} from "./backup-file";
import { CommandFailed, fileProblem } from "./command-failed";
import { claimDataDir, DataDirBusy, DataDirUnusable } from "./data-dir-owner";

export interface RestoreResult {
  manifest: BackupManifest;
  users: number;
  tasks: number;
  /** What --force moved out of the way, to be deleted by hand once the restore is checked. */
  setAside: string[];
  /** False: the server that made the backup had BETTER_AUTH_SECRET set; the same one is needed. */
  withAuthSecret: boolean;
}

async function readBackup(file: string): Promise<BackupContents> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw fileProblem("read", file, error);
  }
  try {
    return await decodeBackup(bytes);
  } catch (error) {
    if (!(error instanceof UnusableBackup)) throw error;
    throw new CommandFailed(
      `${file} is not a hackathon-todo backup that can be restored: ${error.message}`,
    );
  }
}

async function isEmptyDirectory(path: string): Promise<boolean> {
  try {
    return (await readdir(path)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw fileProblem("read", path, error);
  }
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileProblem("read", path, error);
  }
}

/** Loads the data directory into `directory`, checks that it opens as ours, and closes it. */
async function loadAndCount(directory: string, tarball: Uint8Array, file: string) {
  let client: Awaited<ReturnType<typeof createPglite>>;
  try {
    client = await createPglite({ dataDir: directory, loadDataDir: new Blob([tarball]) });
  } catch (error) {
    throw new CommandFailed(`the database in ${file} does not open: ${(error as Error).message}`);
  }
  try {
    const { rows } = await client.query<{ users: number; tasks: number }>(
      `select (select count(*) from "user")::int as users, (select count(*) from tasks)::int as tasks`,
    );
    const [counts] = rows;
    if (!counts) throw new Error("no answer");
    return counts;
  } catch (error) {
    throw new CommandFailed(
      `the database in ${file} opens but is not a hackathon-todo database: ${(error as Error).message}`,
    );
  } finally {
    await client.close();
  }
}

/**
 * `db:restore FILE`: the backup becomes DATA_DIR's embedded database (and generated secret). Only
 * into an empty DATA_DIR, unless `force`: then what is there is renamed aside, never deleted. The
 * database is loaded and checked beside its final place and renamed into it at the end, so a
 * failed restore leaves DATA_DIR as it was.
 */
export async function restore(options: {
  dataDir: string;
  file: string;
  force: boolean;
}): Promise<RestoreResult> {
  const { dataDir, file } = options;
  const backup = await readBackup(file);
  let claim: Awaited<ReturnType<typeof claimDataDir>>;
  try {
    claim = await claimDataDir(dataDir, "restore");
  } catch (error) {
    if (error instanceof DataDirUnusable) throw new CommandFailed(error.message);
    if (!(error instanceof DataDirBusy)) throw error;
    throw new CommandFailed(`${error.message}. Stop it before restoring.`);
  }
  const target = pgliteDirectory(dataDir);
  const staging = `${target}.restoring`;
  try {
    const secretFile = authSecretFile(dataDir);
    const currentSecret = await readText(secretFile);
    const inTheWay = [
      ...((await isEmptyDirectory(target)) ? [] : [target]),
      ...(backup.authSecret !== undefined &&
      currentSecret !== undefined &&
      currentSecret !== backup.authSecret
        ? [secretFile]
        : []),
    ];
    if (inTheWay.length > 0 && !options.force) {
      throw new CommandFailed(
        `${inTheWay.join(" and ")} already ${inTheWay.length > 1 ? "exist" : "exists"}: restore into an empty DATA_DIR, or pass --force to move ${inTheWay.length > 1 ? "them" : "it"} aside`,
      );
    }

    // A restore that crashed earlier may have left its staging copy: this process owns DATA_DIR.
    await rm(staging, { recursive: true, force: true });
    const counts = await loadAndCount(staging, backup.dataDir, file);

    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    const setAside: string[] = [];
    for (const path of inTheWay) {
      const aside = `${path}.replaced-${stamp}`;
      await rename(path, aside);
      setAside.push(aside);
    }
    // An empty directory (the server creates it before its database): rmdir refuses anything more.
    await rmdir(target).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    });
    await rename(staging, target);
    if (backup.authSecret !== undefined && backup.authSecret !== currentSecret) {
      await writeFile(secretFile, `${backup.authSecret}\n`, { mode: 0o600 });
    }
    return {
      manifest: backup.manifest,
      ...counts,
      setAside,
      withAuthSecret: backup.authSecret !== undefined,
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await claim.release();
  }
}
