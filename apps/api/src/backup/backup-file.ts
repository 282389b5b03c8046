import { createHash } from "node:crypto";
import { createTarGzip, parseTar, parseTarGzip } from "nanotar";
import { z } from "zod";

/**
 * The backup file (decision 033): a .tar.gz that `tar tzf` lists, holding
 *   manifest.json  what this is, when it was made, and the checksum of pglite.tar;
 *   pglite.tar     PGlite's own tarball of its data directory (what `loadDataDir` reads);
 *   auth-secret    DATA_DIR/auth-secret when the server generated its secret there: without it the
 *                  restored signing keys and sessions could not be used.
 */

const FORMAT = "hackathon-todo/pglite-backup";
const VERSION = 1;

const entries = {
  manifest: "manifest.json",
  dataDir: "pglite.tar",
  authSecret: "auth-secret",
} as const;

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  version: z.number().int().min(1),
  createdAt: z.string(),
  /** "server": taken from the running server; "stopped": from the directory, no server running. */
  source: z.enum(["server", "stopped"]),
  dataDirSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export type BackupManifest = z.infer<typeof manifestSchema>;

export interface BackupContents {
  manifest: BackupManifest;
  /** PGlite's uncompressed tarball of its data directory. */
  dataDir: Uint8Array;
  authSecret: string | undefined;
}

/** The file is not a backup this version can restore; the message says why. */
export class UnusableBackup extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableBackup";
  }
}

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export function encodeBackup(contents: {
  dataDir: Uint8Array;
  authSecret: string | undefined;
  source: BackupManifest["source"];
  createdAt?: Date;
}): Promise<Uint8Array> {
  const manifest: BackupManifest = {
    format: FORMAT,
    version: VERSION,
    createdAt: (contents.createdAt ?? new Date()).toISOString(),
    source: contents.source,
    dataDirSha256: sha256(contents.dataDir),
  };
  const files: { name: string; data: string | Uint8Array }[] = [
    { name: entries.manifest, data: `${JSON.stringify(manifest, null, 2)}\n` },
    { name: entries.dataDir, data: contents.dataDir },
  ];
  if (contents.authSecret !== undefined) {
    files.push({ name: entries.authSecret, data: `${contents.authSecret}\n` });
  }
  return createTarGzip(files, { attrs: { mode: "600", uid: 0, gid: 0 } });
}

export async function decodeBackup(file: Uint8Array): Promise<BackupContents> {
  let items: Awaited<ReturnType<typeof parseTarGzip>>;
  try {
    items = await parseTarGzip(file);
  } catch (error) {
    throw new UnusableBackup(
      `it is not a gzip-compressed tar archive (${(error as Error).message})`,
    );
  }
  const entry = (name: string) => items.find((item) => item.name === name && item.type === "file");

  const manifestEntry = entry(entries.manifest);
  if (!manifestEntry) throw new UnusableBackup(`it has no ${entries.manifest}`);
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestEntry.text);
  } catch {
    throw new UnusableBackup(`its ${entries.manifest} is not JSON`);
  }
  const parsed = manifestSchema.safeParse(manifestJson);
  if (!parsed.success) {
    throw new UnusableBackup(`its ${entries.manifest} does not describe a hackathon-todo backup`);
  }
  const manifest = parsed.data;
  if (manifest.version > VERSION) {
    throw new UnusableBackup(
      `it was made by a newer hackathon-todo (backup format ${manifest.version}; this one reads up to ${VERSION})`,
    );
  }

  // A copy: the entry is a view into the whole archive, and parseTar reads its buffer from 0.
  const dataDir = entry(entries.dataDir)?.data?.slice();
  if (!dataDir) throw new UnusableBackup(`it has no ${entries.dataDir}`);
  if (sha256(dataDir) !== manifest.dataDirSha256) {
    throw new UnusableBackup(`its ${entries.dataDir} is damaged (the checksum does not match)`);
  }
  // PGlite would crash on a tarball that is not a data directory: check before handing it over.
  let names: string[];
  try {
    names = parseTar(dataDir, { metaOnly: true }).map((item) => item.name.replace(/^\/+/, ""));
  } catch (error) {
    throw new UnusableBackup(
      `its ${entries.dataDir} is not a tar archive (${(error as Error).message})`,
    );
  }
  if (!names.includes("PG_VERSION")) {
    throw new UnusableBackup(`its ${entries.dataDir} is not a PostgreSQL data directory`);
  }

  const authSecret = entry(entries.authSecret)?.text.trim();
  return { manifest, dataDir, authSecret: authSecret || undefined };
}
