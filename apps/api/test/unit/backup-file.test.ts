import { createTar, createTarGzip, parseTarGzip } from "nanotar";
import { describe, expect, it } from "vitest";
import { decodeBackup, encodeBackup, UnusableBackup } from "../../src/backup/backup-file";

/** The smallest thing that passes for a PGlite data-directory tarball. */
const dataDir = createTar([
  { name: "/PG_VERSION", data: "17\n" },
  { name: "/base/1/112", data: new Uint8Array(8192).fill(3) },
]);

const rejection = (file: Uint8Array) =>
  decodeBackup(file).then(
    () => {
      throw new Error("decoded");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(UnusableBackup);
      return (error as Error).message;
    },
  );

/** A backup with its entries changed by `edit`. */
async function tampered(
  edit: (files: { name: string; data: Uint8Array }[]) => { name: string; data: Uint8Array }[],
) {
  const items = await parseTarGzip(
    await encodeBackup({ dataDir, authSecret: "s3cret", source: "server" }),
  );
  return createTarGzip(
    edit(items.map((item) => ({ name: item.name, data: item.data ?? new Uint8Array() }))),
  );
}

const manifestWith = (change: Record<string, unknown>) =>
  tampered((files) =>
    files.map((file) =>
      file.name === "manifest.json"
        ? {
            name: file.name,
            data: new TextEncoder().encode(
              JSON.stringify({ ...JSON.parse(new TextDecoder().decode(file.data)), ...change }),
            ),
          }
        : file,
    ),
  );

describe("the backup file", () => {
  it("gives back the data directory, the secret and the manifest it was made with", async () => {
    const createdAt = new Date("2026-11-28T12:00:00.000Z");
    const file = await encodeBackup({
      dataDir,
      authSecret: "s3cret",
      source: "stopped",
      createdAt,
    });
    const decoded = await decodeBackup(file);
    expect(Buffer.compare(decoded.dataDir, dataDir)).toBe(0);
    expect(decoded.authSecret).toBe("s3cret");
    expect(decoded.manifest).toMatchObject({
      format: "hackathon-todo/pglite-backup",
      version: 1,
      createdAt: "2026-11-28T12:00:00.000Z",
      source: "stopped",
    });
    expect((await parseTarGzip(file)).map((item) => item.name)).toEqual([
      "manifest.json",
      "pglite.tar",
      "auth-secret",
    ]);
  });

  it("has no secret when the server had BETTER_AUTH_SECRET", async () => {
    const file = await encodeBackup({ dataDir, authSecret: undefined, source: "server" });
    expect((await decodeBackup(file)).authSecret).toBeUndefined();
  });

  it("rejects what is not gzip, and a gzip tar without a manifest", async () => {
    expect(await rejection(new TextEncoder().encode("hello"))).toMatch(
      /not a gzip-compressed tar archive/,
    );
    expect(await rejection(await createTarGzip([{ name: "notes.txt", data: "hi" }]))).toBe(
      "it has no manifest.json",
    );
  });

  it("rejects a manifest of something else, and one from a newer format", async () => {
    expect(await rejection(await manifestWith({ format: "something-else" }))).toMatch(
      /does not describe a hackathon-todo backup/,
    );
    expect(await rejection(await manifestWith({ version: 2 }))).toMatch(
      /made by a newer hackathon-todo \(backup format 2; this one reads up to 1\)/,
    );
  });

  it("rejects a data directory that does not match its checksum, or is missing", async () => {
    const damaged = await tampered((files) =>
      files.map((file) =>
        file.name === "pglite.tar"
          ? { name: file.name, data: file.data.map((byte) => byte ^ 1) }
          : file,
      ),
    );
    expect(await rejection(damaged)).toBe(
      "its pglite.tar is damaged (the checksum does not match)",
    );
    const missing = await tampered((files) => files.filter((file) => file.name !== "pglite.tar"));
    expect(await rejection(missing)).toBe("it has no pglite.tar");
  });

  it("rejects a tarball that is not a PostgreSQL data directory, before PGlite sees it", async () => {
    const file = await encodeBackup({
      dataDir: createTar([{ name: "/README", data: "not a database" }]),
      authSecret: undefined,
      source: "server",
    });
    expect(await rejection(file)).toBe("its pglite.tar is not a PostgreSQL data directory");
  });
});
