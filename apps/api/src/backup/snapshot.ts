import type { PGlite } from "@electric-sql/pglite";

/**
 * A tarball of the PGlite data directory that is consistent while the server keeps serving
 * (decision 033). It is taken inside PGlite's transaction lock, which every query and transaction
 * of the app waits for: no transaction is half-written in it, and requests simply wait the moment
 * it takes. PGlite reads the files synchronously, so nothing else runs in the process meanwhile.
 * The CHECKPOINT first writes the changes held in memory to the data files: the copy opens with
 * little or no WAL to replay.
 */
export function snapshotDataDir(client: PGlite): Promise<Uint8Array> {
  return client.transaction(async (tx) => {
    await tx.exec("CHECKPOINT");
    // dumpDataDir takes only the query lock, free between statements of this transaction.
    const tarball = await client.dumpDataDir("none");
    return new Uint8Array(await tarball.arrayBuffer());
  });
}
