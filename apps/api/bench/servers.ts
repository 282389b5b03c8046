import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";

export interface RunningServer {
  child: ChildProcess;
  base: string;
  pid: number;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

/** Starts `node [preloads] script` with only the given environment and waits for `/ready`. */
export async function startServer(options: {
  script: string;
  env: Record<string, string>;
  preload?: string;
  /** Node flags before the script (flags such as --cpu-prof are refused in NODE_OPTIONS). */
  nodeArgs?: string[];
  /** Sets BETTER_AUTH_URL to the server's own base URL (the API's JWT issuer and audience). */
  authUrl?: boolean;
  /** A port to reuse (default: any free one). */
  port?: number;
  /** Where the server's output goes (appended), instead of this terminal. */
  logFile: string;
}): Promise<RunningServer> {
  const port = options.port ?? (await freePort());
  const base = `http://127.0.0.1:${port}`;
  // Overloaded servers log every 503: thousands of lines that belong in a file, not in the table.
  const log = openSync(options.logFile, "a");
  const args = [
    ...(options.nodeArgs ?? []),
    ...(options.preload ? ["--import", options.preload] : []),
    options.script,
  ];
  const child = spawn(process.execPath, args, {
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      ...(options.authUrl ? { BETTER_AUTH_URL: base } : {}),
      ...options.env,
      PORT: String(port),
    },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = new Promise<never>((_, reject) =>
    child.once("exit", (code) => reject(new Error(`${options.script} exited with ${code}`))),
  );
  exited.catch(() => {});
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const ready = await Promise.race([
      fetch(`${base}/ready`).then(
        (response) => response.ok,
        () => false,
      ),
      exited,
    ]);
    if (ready && child.pid !== undefined) return { child, base, pid: child.pid };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  child.kill();
  throw new Error(`${options.script} did not become ready`);
}

/** SIGTERM and wait for the graceful shutdown, so that the database is idle afterwards. */
export async function stopServer(server: RunningServer): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  server.child.kill("SIGTERM");
  await exited;
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => []);
  const children = await Promise.all(
    tasks.map((task) =>
      readFile(join(`/proc/${pid}/task`, task, "children"), "utf8").catch(() => ""),
    ),
  );
  return children.join(" ").split(/\s+/).filter(Boolean).map(Number);
}

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
}

/**
 * Resident memory of a server and of every process under it (cluster workers, if it ever has
 * them), read from /proc: the largest one is the "per worker" figure.
 */
export async function rssOfTree(pid: number): Promise<{ pid: number; mb: number }[]> {
  const pids = [pid];
  for (let index = 0; index < pids.length; index += 1) {
    pids.push(...(await childrenOf(pids[index] ?? pid)));
  }
  const sizes = await Promise.all(
    pids.map(async (each) => ({ pid: each, mb: Math.round((await rssKb(each)) / 102.4) / 10 })),
  );
  return sizes.filter((size) => Number.isFinite(size.mb));
}

/** CPU time (user + system) of a server and of each process under it, in milliseconds. */
export async function cpuMsByProcess(pid: number): Promise<{ pid: number; ms: number }[]> {
  const pids = [pid];
  for (let index = 0; index < pids.length; index += 1) {
    pids.push(...(await childrenOf(pids[index] ?? pid)));
  }
  return Promise.all(
    pids.map(async (each) => {
      const stat = await readFile(`/proc/${each}/stat`, "utf8").catch(() => "");
      // Fields after the command name: state is the first, utime the 12th, stime the 13th.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // Clock ticks of 10 ms (USER_HZ is 100 on Linux whatever the kernel's HZ).
      const ms = (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
      return { pid: each, ms: Number.isFinite(ms) ? ms : 0 };
    }),
  );
}

/** CPU time (user + system) of a server and the processes under it, in milliseconds. */
export async function cpuMsOfTree(pid: number): Promise<number> {
  const times = await cpuMsByProcess(pid);
  return times.reduce((sum, each) => sum + each.ms, 0);
}
