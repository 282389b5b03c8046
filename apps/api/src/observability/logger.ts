import cluster from "node:cluster";
import pino, { type DestinationStream, type Logger, type LoggerOptions } from "pino";
import type { Config } from "../env";

/**
 * The server's logger. LOG_FORMAT=json (the default): one JSON object per line, what log
 * collectors read. LOG_FORMAT=pretty: one coloured line per event for a person at a terminal, the
 * request line as `GET /api/:user_id/tasks 200 3.1 ms` (decision 032).
 */
export async function createLogger(
  config: Pick<Config, "logLevel" | "logFormat" | "isProduction">,
  /** Where lines go; standard output unless a test catches them. */
  destination?: DestinationStream,
): Promise<Logger> {
  const options: LoggerOptions = {
    level: config.logLevel,
    // A second guard: should a request's headers ever be logged, its credentials are not.
    redact: [
      "req.headers.authorization",
      "req.headers.cookie",
      "headers.authorization",
      "headers.cookie",
    ],
  };
  if (config.logFormat === "json") return destination ? pino(options, destination) : pino(options);

  // Imported here only: a JSON logger loads neither the prettifier nor its dependencies. A stream
  // in this thread rather than a transport (a worker thread): a person reads these, not a
  // collector, and lines written just before an exit are not lost with a worker.
  const { default: pretty } = await import("pino-pretty");
  const logger = pino(
    options,
    pretty({
      destination: destination ?? 1,
      sync: true,
      singleLine: true,
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname,req,res,responseTime",
      messageFormat: requestLine,
      // The stack when there is one (as V8 prints it), else the message: not a JSON dump.
      customPrettifiers: { err: errorText },
    }),
  );
  // Once per server: with WEB_CONCURRENCY > 1 the primary says it, not every worker.
  if (config.isProduction && cluster.isPrimary) {
    logger.warn(
      "LOG_FORMAT=pretty in production: log collectors expect JSON lines (LOG_FORMAT=json), and formatting costs CPU on every request",
    );
  }
  return logger;
}

interface RequestFields {
  req?: { method?: string; route?: string };
  res?: { status?: number };
  responseTime?: number;
}

/** request-log.ts's line as a person reads it; every other message as it is. */
function requestLine(log: Record<string, unknown>, messageKey: string): string {
  const message = String(log[messageKey] ?? "");
  const { req, res, responseTime } = log as RequestFields;
  if (message !== "request" || !req || !res) return message;
  return `${req.method} ${req.route} ${res.status} ${responseTime} ms`;
}

/** pino's serializer gives a plain object such as request-log.ts's `{ message }` an empty stack. */
function errorText(value: unknown): string {
  const { stack, message } = (value ?? {}) as { stack?: unknown; message?: unknown };
  return String(stack || message || "");
}
