import { createHash } from "node:crypto";
import { unlinkSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rm, symlink, unlink } from "node:fs/promises";
import http from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

/**
 * One process at a time on an embedded database (decision 033). PGlite keeps no lock of its own:
 * two processes on one data directory both open it and corrupt it. Whoever opens DATA_DIR's PGlite
 * (the server, `db:migrate`, `db:backup`, `db:restore`) first listens on a Unix socket in DATA_DIR.
 * A live owner answers on it, which is the proof that it is alive: no pid file that a restarted
 * container could mistake for its own, no timers. A socket file that nobody answers is what a
 * killed process leaves behind, and the next owner takes it over. The running server also answers
 * `db:backup` on this socket with a consistent copy of its data directory.
 */

export type OwnerRole = "server" | "migrate" | "backup" | "restore";

export interface Owner {
  pid: number;
  role: OwnerRole;
}

const SOCKET_NAME = "owner.sock";
/** sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = 103;
/** A live owner answers at once; a process that is stopped (SIGSTOP) or hung does not. */
const ASK_TIMEOUT_MS = 3_000;
/** The server reads its whole data directory to answer (≈1 s for 60 MB on a busy machine). */
const SNAPSHOT_TIMEOUT_MS = 120_000;

export const ownerPaths = {
  holder: "/owner",
  snapshot: "/data-dir.tar",
} as const;

/** DATA_DIR is held by another live process. */
export class DataDirBusy extends Error {
  constructor(
    readonly dataDir: string,
    /** Undefined when something holds the socket but did not say who it is. */
    readonly owner: Owner | undefined,
    reason?: string,
  ) {
    super(
      owner
        ? `DATA_DIR ${dataDir} is in use by ${describeOwner(owner)}: two processes on one embedded database would corrupt it`
        : `DATA_DIR ${dataDir} is in use by another process that does not answer (${reason ?? "no answer"}): two processes on one embedded database would corrupt it`,
    );
    this.name = "DataDirBusy";
  }
}

export function describeOwner(owner: Owner): string {
  const what = {
    server: "a running hackathon-todo server",
    migrate: "db:migrate",
    backup: "a db:backup",
    restore: "a db:restore",
  }[owner.role];
  return `${what} (pid ${owner.pid})`;
}

/** Gives the bytes of a consistent copy of the data directory (see snapshot.ts). */
export type SnapshotSource = () => Promise<Uint8Array>;

export interface DataDirClaim {
  /** From now on, `db:backup` gets its copy from here. */
  serveSnapshots(source: SnapshotSource): void;
  /** Gives DATA_DIR up (process exit does it too). */
  release(): Promise<void>;
}

interface SocketAddress {
  path: string;
  /** The socket file itself, in DATA_DIR (undefined for a Windows named pipe). */
  file: string | undefined;
  /** Removes the short detour a long DATA_DIR needs, once the socket is bound or connected. */
  done(): Promise<void>;
}

/**
 * The socket's address. A DATA_DIR too deep for sun_path is reached through a symbolic link in a
 * fresh private temporary directory: the socket file itself still lives in DATA_DIR, under
 * DATA_DIR's permissions. Windows has no Unix sockets in files: a named pipe per DATA_DIR.
 */
async function socketAddress(dataDir: string): Promise<SocketAddress> {
  const dir = resolve(dataDir);
  const noDetour = async () => {};
  if (process.platform === "win32") {
    const id = createHash("sha256").update(dir.toLowerCase()).digest("hex").slice(0, 32);
    return { path: `\\\\.\\pipe\\hackathon-todo-${id}`, file: undefined, done: noDetour };
  }
  const file = join(dir, SOCKET_NAME);
  if (Buffer.byteLength(file) <= MAX_SOCKET_PATH_BYTES) return { path: file, file, done: noDetour };
  const detour = await mkdtemp(join(tmpdir(), "todo-"));
  await symlink(dir, join(detour, "d"));
  return {
    path: join(detour, "d", SOCKET_NAME),
    file,
    // rm does not follow the link: DATA_DIR stays.
    done: () => rm(detour, { recursive: true, force: true }),
  };
}

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code;

function listen(server: http.Server, path: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.listen(path, () => {
      server.off("error", onError);
      resolvePromise();
    });
  });
}

/** An HTTP GET over the owner socket. */
function get(
  path: string,
  route: string,
  timeoutMs: number,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolvePromise, reject) => {
    const request = http.get(
      // No pooled keep-alive connection: one request, then the command may exit.
      { socketPath: path, path: route, timeout: timeoutMs, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolvePromise({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }),
        );
        response.on("error", reject);
      },
    );
    request.on("timeout", () =>
      request.destroy(
        Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: "ETIMEDOUT" }),
      ),
    );
    request.on("error", reject);
  });
}

const isOwner = (value: unknown): value is Owner =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Owner).pid === "number" &&
  ["server", "migrate", "backup", "restore"].includes((value as Owner).role);

/** Who answers on the socket: an Owner, "nobody" (a stale file, or none), or DataDirBusy. */
async function askOwner(dataDir: string, path: string): Promise<Owner | "nobody"> {
  try {
    const { status, body } = await get(path, ownerPaths.holder, ASK_TIMEOUT_MS);
    const owner: unknown = status === 200 ? JSON.parse(body.toString("utf8")) : undefined;
    if (isOwner(owner)) return owner;
    throw new DataDirBusy(dataDir, undefined, `it answered ${status}`);
  } catch (error) {
    if (error instanceof DataDirBusy) throw error;
    // ECONNREFUSED: a socket file whose process is gone. ENOENT: no file (any more).
    if (["ECONNREFUSED", "ENOENT"].includes(errorCode(error) ?? "")) return "nobody";
    throw new DataDirBusy(dataDir, undefined, (error as Error).message);
  }
}

function problem(response: http.ServerResponse, status: number, detail: string) {
  response.writeHead(status, { "Content-Type": "application/problem+json" });
  response.end(
    JSON.stringify({ type: "about:blank", title: http.STATUS_CODES[status], status, detail }),
  );
}

/**
 * DATA_DIR cannot hold the owner socket (not writable, or a file system without Unix sockets):
 * nothing can tell whether another process has the database open.
 */
export class DataDirUnusable extends Error {
  constructor(dataDir: string, cause: unknown) {
    super(`cannot keep the owner socket in DATA_DIR ${dataDir}: ${(cause as Error).message}`, {
      cause,
    });
    this.name = "DataDirUnusable";
  }
}

/**
 * Makes this process DATA_DIR's owner. Throws DataDirBusy naming the live owner, or
 * DataDirUnusable. Call it before opening the PGlite in DATA_DIR, and keep the claim as long as it
 * is open.
 */
export async function claimDataDir(dataDir: string, role: OwnerRole): Promise<DataDirClaim> {
  try {
    return await claim(dataDir, role);
  } catch (error) {
    if (error instanceof DataDirBusy) throw error;
    throw new DataDirUnusable(dataDir, error);
  }
}

async function claim(dataDir: string, role: OwnerRole): Promise<DataDirClaim> {
  await mkdir(dataDir, { recursive: true });
  const owner: Owner = { pid: process.pid, role };
  let snapshots: SnapshotSource | undefined;
  const server = http.createServer((request, response) => {
    if (request.method !== "GET") return problem(response, 405, "only GET is answered here");
    if (request.url === ownerPaths.holder) {
      response.writeHead(200, { "Content-Type": "application/json" });
      return response.end(JSON.stringify(owner));
    }
    if (request.url !== ownerPaths.snapshot) return problem(response, 404, "no such route");
    if (!snapshots) {
      return problem(response, 503, `${describeOwner(owner)} does not hand out copies now`);
    }
    snapshots().then(
      (bytes) => {
        response.writeHead(200, {
          "Content-Type": "application/x-tar",
          "Content-Length": bytes.byteLength,
        });
        response.end(bytes);
      },
      (error: unknown) =>
        problem(response, 503, `the database could not be copied: ${(error as Error).message}`),
    );
  });

  const address = await socketAddress(dataDir);
  try {
    try {
      await listen(server, address.path);
    } catch (error) {
      if (errorCode(error) !== "EADDRINUSE") throw error;
      const answer = await askOwner(dataDir, address.path);
      if (answer !== "nobody") throw new DataDirBusy(dataDir, answer);
      await unlink(address.path).catch((unlinkError: unknown) => {
        if (errorCode(unlinkError) !== "ENOENT") throw unlinkError;
      });
      // A second EADDRINUSE means another process took it over in between: it owns DATA_DIR now.
      await listen(server, address.path).catch(async (retryError: unknown) => {
        if (errorCode(retryError) !== "EADDRINUSE") throw retryError;
        const winner = await askOwner(dataDir, address.path);
        throw new DataDirBusy(dataDir, winner === "nobody" ? undefined : winner);
      });
    }
  } finally {
    await address.done();
  }
  const { file } = address;
  // Only this user may connect (and so fetch a copy of the database).
  if (file)
    await chmod(file, 0o600).catch((error: unknown) => {
      server.close();
      throw error;
    });
  // The claim alone must not keep a finished command alive.
  server.unref();
  const removeFile = () => {
    if (!file) return;
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to tidy.
    }
  };
  process.once("exit", removeFile);
  return {
    serveSnapshots: (source) => {
      snapshots = source;
    },
    release: async () => {
      process.off("exit", removeFile);
      await new Promise<void>((resolvePromise) => server.close(() => resolvePromise()));
      removeFile();
    },
  };
}

function problemDetail(body: Buffer): string | undefined {
  try {
    const { detail } = JSON.parse(body.toString("utf8")) as { detail?: unknown };
    return typeof detail === "string" ? detail : undefined;
  } catch {
    return undefined;
  }
}

/** Asks DATA_DIR's running server for a consistent copy of its data directory. */
export async function fetchSnapshot(dataDir: string): Promise<Uint8Array> {
  const address = await socketAddress(dataDir);
  try {
    const { status, body } = await get(address.path, ownerPaths.snapshot, SNAPSHOT_TIMEOUT_MS);
    if (status !== 200) throw new Error(problemDetail(body) ?? `the server answered ${status}`);
    return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  } finally {
    await address.done();
  }
}
