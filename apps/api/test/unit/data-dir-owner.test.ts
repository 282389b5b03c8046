import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimDataDir,
  DataDirBusy,
  type DataDirClaim,
  DataDirUnusable,
  fetchSnapshot,
} from "../../src/backup/data-dir-owner";

let scratch: string;
const claims: DataDirClaim[] = [];
const claim = async (...args: Parameters<typeof claimDataDir>) => {
  const made = await claimDataDir(...args);
  claims.push(made);
  return made;
};

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "todo-owner-"));
});
afterAll(async () => {
  for (const made of claims) await made.release();
  await rm(scratch, { recursive: true, force: true });
});

const busyOwner = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("the second claim succeeded");
    },
    (error: unknown) => {
      expect(error).toBeInstanceOf(DataDirBusy);
      return (error as DataDirBusy).owner;
    },
  );

/** A process that listens on `path` and is then killed: it leaves the socket file behind. */
async function leaveStaleSocket(path: string) {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `require("node:net").createServer().listen(${JSON.stringify(path)}, () => console.log("up"))`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise((resolve) => child.stdout.once("data", resolve));
  child.kill("SIGKILL");
  await new Promise((resolve) => child.once("exit", resolve));
}

describe.skipIf(process.platform === "win32")("the DATA_DIR owner socket", () => {
  it("refuses a second claim, naming the process and role that holds DATA_DIR", async () => {
    const dataDir = join(scratch, "busy");
    await claim(dataDir, "server");
    expect(await busyOwner(claimDataDir(dataDir, "backup"))).toEqual({
      pid: process.pid,
      role: "server",
    });
  });

  it("creates DATA_DIR, and a socket that only its user may connect to", async () => {
    const dataDir = join(scratch, "new", "data");
    await claim(dataDir, "restore");
    expect((await stat(join(dataDir, "owner.sock"))).mode & 0o777).toBe(0o600);
  });

  it("is free again once released, and the socket file is gone", async () => {
    const dataDir = join(scratch, "released");
    const first = await claimDataDir(dataDir, "migrate");
    await first.release();
    await expect(stat(join(dataDir, "owner.sock"))).rejects.toThrow(/ENOENT/);
    await claim(dataDir, "server");
  });

  it("takes over the socket file that a killed process left", async () => {
    const dataDir = join(scratch, "stale");
    await mkdir(dataDir);
    await leaveStaleSocket(join(dataDir, "owner.sock"));
    expect((await stat(join(dataDir, "owner.sock"))).isSocket()).toBe(true);
    await claim(dataDir, "server");
    expect((await busyOwner(claimDataDir(dataDir, "backup")))?.role).toBe("server");
  });

  it("does not take over from a holder that accepts but does not answer (a stopped process)", async () => {
    const dataDir = join(scratch, "mute");
    await mkdir(dataDir);
    const mute = createServer(() => {});
    await new Promise<void>((resolve) => mute.listen(join(dataDir, "owner.sock"), resolve));
    try {
      const error = await claimDataDir(dataDir, "server").catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DataDirBusy);
      expect((error as DataDirBusy).owner).toBeUndefined();
      expect((error as Error).message).toMatch(/does not answer \(no answer within \d+ ms\)/);
    } finally {
      mute.close();
    }
  });

  it("works in a DATA_DIR too deep for a socket path, with the socket file still in DATA_DIR", async () => {
    const dataDir = join(scratch, "deep", "a".repeat(60), "b".repeat(60), "data");
    expect(Buffer.byteLength(join(dataDir, "owner.sock"))).toBeGreaterThan(108);
    const deep = await claim(dataDir, "server");
    expect((await stat(join(dataDir, "owner.sock"))).isSocket()).toBe(true);
    expect(await busyOwner(claimDataDir(dataDir, "backup"))).toEqual({
      pid: process.pid,
      role: "server",
    });
    deep.serveSnapshots(async () => new Uint8Array([1, 2, 3]));
    expect([...(await fetchSnapshot(dataDir))]).toEqual([1, 2, 3]);
  });

  it("says plainly when DATA_DIR cannot hold the socket", async () => {
    const dataDir = join(scratch, "a-file");
    await writeFile(dataDir, "not a directory");
    const error = await claimDataDir(dataDir, "backup").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DataDirUnusable);
    expect((error as Error).message).toMatch(
      /^cannot keep the owner socket in DATA_DIR .*a-file: /,
    );
  });

  it("hands out a copy only once the owner serves them, and reports the owner's failure", async () => {
    const dataDir = join(scratch, "snapshots");
    const owner = await claim(dataDir, "server");
    await expect(fetchSnapshot(dataDir)).rejects.toThrow(/does not hand out copies now/);
    owner.serveSnapshots(async () => {
      throw new Error("database closed");
    });
    await expect(fetchSnapshot(dataDir)).rejects.toThrow(
      "the database could not be copied: database closed",
    );
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
    owner.serveSnapshots(async () => bytes);
    expect(Buffer.compare(await fetchSnapshot(dataDir), bytes)).toBe(0);
  });
});
