import cluster, { type Worker } from "node:cluster";
import { availableParallelism } from "node:os";
import closeWithGrace from "close-with-grace";
import type { Logger } from "pino";
import { loggableError } from "../http/loggable-error";
import { SHUTDOWN_TIMEOUT_MS } from "../shutdown";
import { createRestartPolicy } from "./restart-policy";
import { STOP_MESSAGE } from "./stop-requests";

/**
 * The primary's own bound on a shutdown: a worker's (SHUTDOWN_TIMEOUT_MS, after which it exits 1
 * by itself) and a little for its exit to arrive; still inside Docker's 10 s before SIGKILL.
 */
export const PRIMARY_SHUTDOWN_TIMEOUT_MS = SHUTDOWN_TIMEOUT_MS + 500;

class WorkersFailed extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "WorkersFailed";
  }
}

/**
 * The primary of WEB_CONCURRENCY > 1 (decision 026): it serves nothing itself. It forks the
 * workers (each runs `exec`, this server's entry point, and listens on the same port through
 * node:cluster), replaces a worker that dies (with a growing wait, and gives up on a crash loop),
 * and on SIGTERM or SIGINT asks every worker to drain, waits for them, and exits 0 when all of them
 * exited 0, else 1.
 */
export function runPrimary(options: {
  workers: number;
  exec: string;
  logger: Logger;
  /** Called once, when every worker is listening for the first time. */
  onListening: (port: number) => void;
}): void {
  const { workers, logger } = options;
  if (workers > availableParallelism()) {
    logger.warn(
      { workers, cpus: availableParallelism() },
      "WEB_CONCURRENCY is more than the CPUs this process may use: the workers will take turns on them",
    );
  }
  cluster.setupPrimary({ exec: options.exec });

  const live = new Set<Worker>();
  const listening = new Set<Worker>();
  const restartTimers = new Set<NodeJS.Timeout>();
  const nextRestart = createRestartPolicy();
  let up = false;
  let stopping = false;
  /** Why the exit code will be 1, once something went wrong. */
  let failure: string | undefined;
  let allExited = () => {};
  const exited = new Promise<void>((resolve) => {
    allExited = resolve;
  });

  const fork = () => {
    live.add(cluster.fork());
  };
  const killAll = () => {
    for (const worker of live) worker.process.kill("SIGKILL");
  };
  const describe = (worker: Worker) => ({ worker: worker.id, workerPid: worker.process.pid });
  // Only to a listening worker: it has been waiting for the message since before it listened,
  // while one still loading its code would drop it (a message with no listener is lost).
  const askToStop = (worker: Worker) => {
    if (worker.isConnected()) worker.send(STOP_MESSAGE, () => {});
  };

  cluster.on("listening", (worker, address) => {
    listening.add(worker);
    logger.info(describe(worker), "worker listening");
    if (stopping) {
      askToStop(worker);
      return;
    }
    if (!up && listening.size === workers) {
      up = true;
      options.onListening(address.port);
    }
  });

  cluster.on("exit", (worker, code, signal) => {
    live.delete(worker);
    listening.delete(worker);
    const how = { ...describe(worker), code, signal };
    if (stopping) {
      if (code !== 0) failure ??= `worker ${worker.id} exited with ${signal ?? code}`;
      logger.info(how, "worker stopped");
      if (live.size === 0) allExited();
      return;
    }
    if (!up) {
      // As the single process does when it cannot start: exit 1, and let the cause be read above.
      logger.error(how, "a worker exited before the server was listening; stopping");
      stopWith(`worker ${worker.id} exited with ${signal ?? code} while starting`);
      return;
    }
    const decision = nextRestart();
    if (!decision.restart) {
      logger.error(
        { ...how, crashes: decision.crashes },
        "workers keep exiting (a crash loop); stopping",
      );
      stopWith(`${decision.crashes} workers exited within a minute`);
      return;
    }
    logger.warn({ ...how, restartInMs: decision.delayMs }, "a worker exited; starting another");
    const timer = setTimeout(() => {
      restartTimers.delete(timer);
      if (!stopping) fork();
    }, decision.delayMs);
    restartTimers.add(timer);
  });

  const shutdown = closeWithGrace(
    {
      delay: PRIMARY_SHUTDOWN_TIMEOUT_MS,
      logger: {
        error: (message: unknown) =>
          message instanceof Error
            ? logger.error({ err: loggableError(message) }, "shutdown failed")
            : logger.error(String(message)),
      },
      onTimeout: () => {
        logger.error(
          { pids: [...live].map((worker) => worker.process.pid) },
          `workers still running ${PRIMARY_SHUTDOWN_TIMEOUT_MS} ms after the signal; killed them`,
        );
        killAll();
      },
      onSecondSignal: (signal) => {
        logger.error({ signal }, "second signal: killed the workers");
        killAll();
      },
    },
    async ({ signal, err }) => {
      stopping = true;
      for (const timer of restartTimers) clearTimeout(timer);
      if (err) logger.error({ err: loggableError(err) }, "shutting down after an error");
      else if (signal) logger.info({ signal }, "shutting down: asking the workers to drain");
      // The others are asked when they listen, or exit by themselves; each exit is awaited.
      for (const worker of listening) askToStop(worker);
      if (live.size > 0) await exited;
      if (failure) throw new WorkersFailed(failure);
      logger.info("stopped");
    },
  );
  const stopWith = (reason: string) => {
    failure ??= reason;
    shutdown.close();
  };

  for (let index = 0; index < workers; index += 1) fork();
}
