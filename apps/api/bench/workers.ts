import { type Workload, workloadNames } from "./bare-sql";
import { load, type NextStep, type Stats } from "./load";
import { options } from "./options";
import type { WorkerProcesses, WorkersReport } from "./report";
import { cpuMsByProcess, type RunningServer, rssOfTree, stopServer } from "./servers";

type Paired = (
  servers: RunningServer[],
  options: { steps: NextStep[]; connections: number; duration: number },
) => Promise<Map<RunningServer, Stats>>;

/**
 * BENCH_WORKERS=1,2 (decision 026): the five workloads on copies of the API started with
 * WEB_CONCURRENCY at each count, on the same database and users, in turns (A B … B A) so that the
 * machine's background load falls on each alike. Each copy is new and gets the same warm-up (every
 * workload for BENCH_DURATION): a process that served for minutes, like the measured API, has had
 * its hot code compiled by V8, and a new worker has not; a comparison with it was unfair to the
 * workers by up to 2× in CPU per request. CPU µs per request counts every process of a server,
 * the primary's included.
 */
export async function compareWorkers(args: {
  startApi: (workers: number) => Promise<RunningServer>;
  steps: Record<Workload, NextStep>;
  paired: Paired;
}): Promise<WorkersReport> {
  const { connections, duration } = options;
  const report: WorkersReport = { connections, runs: [], processes: [] };
  const servers = new Map<number, RunningServer>();
  try {
    for (const workers of options.workers) servers.set(workers, await args.startApi(workers));
    const cpuBefore = new Map<number, { pid: number; ms: number }[]>();
    for (const [workers, server] of servers) {
      // /ready answered as soon as one worker listened; by the end of this every worker does.
      for (const workload of workloadNames) {
        await load({ base: server.base, steps: [args.steps[workload]], connections, duration });
      }
      cpuBefore.set(workers, await cpuMsByProcess(server.pid));
    }
    for (const workload of workloadNames) {
      const results = await args.paired([...servers.values()], {
        steps: [args.steps[workload]],
        connections,
        duration,
      });
      for (const [workers, server] of servers) {
        const stats = results.get(server);
        if (stats) report.runs.push({ workers, scenario: workload, stats });
      }
    }
    for (const [workers, server] of servers) {
      const before = cpuBefore.get(workers);
      if (before && workers > 1) {
        report.processes.push(await processesOf(workers, server.pid, before));
      }
    }
  } finally {
    for (const server of servers.values()) await stopServer(server);
  }
  return report;
}

async function processesOf(
  workers: number,
  primaryPid: number,
  before: { pid: number; ms: number }[],
): Promise<WorkerProcesses> {
  const after = await cpuMsByProcess(primaryPid);
  const rss = await rssOfTree(primaryPid);
  const each = after.map(({ pid, ms }) => ({
    pid,
    cpu_s: Math.round((ms - (before.find((entry) => entry.pid === pid)?.ms ?? 0)) / 100) / 10,
    rss_mb: rss.find((entry) => entry.pid === pid)?.mb ?? Number.NaN,
  }));
  const [primary, ...children] = each;
  return { workers, primary, workerProcesses: children };
}
