import { access, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { authSecretFile } from "../auth/secret";
import { createPglite, pgliteDirectory } from "../db/client";
import { type BackupManifest, encodeBackup } from "./backup-file";
import { CommandFailed, fileProblem } from "./command-failed";
import {
  claimDataDir,
  DataDirBusy,
  DataDirUnusable,
  describeOwner,
  fetchSnapshot,
} from "./data-dir-owner";
import { snapshotDataDir } from "./snapshot";

export interface BackUpResult {
  bytes: number;
  source: BackupManifest["source"];
  withAuthSecret: boolean;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

async function requireDatabase(dataDir: string) {
  if (!(await exists(join(pgliteDirectory(dataDir), "PG_VERSION")))) {
    throw new CommandFailed(
      `there is no embedded database in ${pgliteDirectory(dataDir)} to back up (the server creates it when it first starts)`,
    );
  }
}

/**
 * The running server's copy when one runs on DATA_DIR (it answers on the owner socket); otherwise
 * the directory opened here, under the same claim that keeps a server from starting meanwhile.
 */
async function copyDataDir(
  dataDir: string,
): Promise<{ tarball: Uint8Array; source: BackupManifest["source"] }> {
  // Before claiming, which would create a DATA_DIR that was given wrong.
  await requireDatabase(dataDir);
  let claim: Awaited<ReturnType<typeof claimDataDir>>;
  try {
    claim = await claimDataDir(dataDir, "backup");
  } catch (error) {
    if (error instanceof DataDirUnusable) throw new CommandFailed(error.message);
    if (!(error instanceof DataDirBusy)) throw error;
    if (error.owner?.role !== "server") {
      throw new CommandFailed(`${error.message}. Run the backup again once it has finished.`);
    }
    try {
      return { tarball: await fetchSnapshot(dataDir), source: "server" };
    } catch (fetchError) {
      throw new CommandFailed(
        `${describeOwner(error.owner)} could not hand out a copy: ${(fetchError as Error).message}`,
      );
    }
  }
  try {
    await requireDatabase(dataDir);
    const directory = pgliteDirectory(dataDir);
    const client = await createPglite({ dataDir: directory });
    try {
      return { tarball: await snapshotDataDir(client), source: "stopped" };
    } finally {
      await client.close();
    }
  } finally {
    await claim.release();
  }
}

async function readAuthSecret(dataDir: string): Promise<string | undefined> {
  try {
    return (await readFile(authSecretFile(dataDir), "utf8")).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileProblem("read", authSecretFile(dataDir), error);
  }
}

/** Written beside `file` and renamed over it: an interrupted backup leaves no half file. */
async function writeAtomically(file: string, bytes: Uint8Array) {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await writeFile(partial, bytes, { mode: 0o600 });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw fileProblem("write", file, error);
  }
}

/** `db:backup FILE`: DATA_DIR's embedded database (and generated secret) into one .tar.gz. */
export async function backUp(options: {
  dataDir: string;
  file: string;
  force: boolean;
}): Promise<BackUpResult> {
  if (!options.force && (await exists(options.file))) {
    throw new CommandFailed(`${options.file} already exists; pass --force to replace it`);
  }
  const { tarball, source } = await copyDataDir(options.dataDir);
  const authSecret = await readAuthSecret(options.dataDir);
  const bytes = await encodeBackup({ dataDir: tarball, authSecret, source });
  await writeAtomically(options.file, bytes);
  return { bytes: bytes.byteLength, source, withAuthSecret: authSecret !== undefined };
}
