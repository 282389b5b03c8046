import { existsSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { DEFAULT_POOL_MAX } from "./db/client";
import { paths } from "./paths";

/** The only module that reads `process.env`: everything else receives a typed `Config`. */

const booleanString = z
  .enum(["true", "false", "1", "0"], { message: "must be true or false" })
  .transform((value) => value === "true" || value === "1");

const httpUrl = z.url({ protocol: /^https?$/, message: "must be an http(s) URL" });

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, { message: "must start with postgres:// or postgresql://" });

const origin = z
  .url({ protocol: /^https?$/, message: "must be an http(s) origin" })
  .transform((value) => new URL(value).origin);

/** jose's duration syntax ("90s", "15m", "12h", "7d", "2w"); kept strict so typos fail at start. */
const duration = z
  .string()
  .regex(/^\d+\s?(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|week|weeks)$/, {
    message: 'must be a duration such as "15m", "12h" or "7d"',
  });

/** The most worker processes WEB_CONCURRENCY may ask for: each opens a pool of 10 connections. */
export const MAX_WORKERS = 32;
const workersMessage = `must be a whole number of worker processes from 1 to ${MAX_WORKERS} (no "auto": each worker opens its own 10 database connections, so the count is chosen against the database's limit)`;

/**
 * RFC 6750's token syntax, which is all an `Authorization: Bearer` header can carry: a token with
 * other characters could never be sent, so it is refused at start rather than never matching.
 */
const bearerToken = z
  .string()
  .min(16, "must be at least 16 characters (try: openssl rand -hex 32)")
  .regex(/^[A-Za-z0-9._~+/-]+=*$/, {
    message:
      "may hold only letters, digits and - . _ ~ + / (then = padding): it is sent as a Bearer token",
  });

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  HOST: z.string().min(1).optional(),
  PORT: z.coerce
    .number({ message: "must be a port number (0-65535)" })
    .int("must be a port number (0-65535)")
    .min(0, "must be a port number (0-65535)")
    .max(65535, "must be a port number (0-65535)")
    .default(3000),
  DATABASE_URL: postgresUrl.optional(),
  /** A direct connection for migrations and locks when DATABASE_URL is a pooler (decision 030). */
  DATABASE_DIRECT_URL: postgresUrl.optional(),
  DATABASE_POOL_MAX: z.coerce
    .number({ message: "must be a whole number of connections (1 or more)" })
    .int("must be a whole number of connections (1 or more)")
    .min(1, "must be a whole number of connections (1 or more)")
    .optional(),
  /**
   * Requests in progress at once in a process; the others wait their turn (decision 044).
   * Default: twice the pool's connections, enough to keep them all busy.
   */
  MAX_REQUESTS_IN_PROGRESS: z.coerce
    .number({ message: "must be a whole number of requests (1 or more)" })
    .int("must be a whole number of requests (1 or more)")
    .min(1, "must be a whole number of requests (1 or more)")
    .optional(),
  /** Off for a transaction pooler that cannot keep named statements (PgBouncer < 1.21; decision 031). */
  DATABASE_NAMED_STATEMENTS: booleanString.default(true),
  DATA_DIR: z.string().min(1).default("./data"),
  BETTER_AUTH_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (try: openssl rand -base64 32)")
    .optional(),
  BETTER_AUTH_URL: httpUrl.optional(),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const origins: string[] = [];
      for (const item of splitList(value)) {
        if (item.includes("*")) {
          // Credentialed CORS with a wildcard would let any site act as the signed-in user.
          ctx.addIssue({
            code: "custom",
            message: `may not contain "${item}": list each origin allowed to call the API with credentials`,
          });
          continue;
        }
        const parsed = origin.safeParse(item);
        if (parsed.success) origins.push(parsed.data);
        else ctx.addIssue({ code: "custom", message: `"${item}" is not an http(s) origin` });
      }
      return origins;
    }),
  JWT_EXPIRES_IN: duration.default("7d"),
  AUTH_JWKS_URL: httpUrl.optional(),
  AUTH_JWT_ISSUER: z.string().min(1).optional(),
  AUTH_JWT_AUDIENCE: z.string().min(1).optional(),
  AUTH_ACCEPT_HS256: booleanString.default(false),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(600),
  /** Sign-in, sign-up and password-check limits (ours and Better Auth's); default: production. */
  AUTH_RATE_LIMIT: booleanString.optional(),
  /** How many proxies in front of the server append to X-Forwarded-For (0: use the socket). */
  TRUST_PROXY: z.coerce
    .number({ message: "must be a whole number of proxy hops (0, 1, 2…)" })
    .int("must be a whole number of proxy hops (0, 1, 2…)")
    .min(0, "must be a whole number of proxy hops (0, 1, 2…)")
    .default(0),
  /** Processes serving the port (node:cluster); 1 serves from this very process. Decision 026. */
  WEB_CONCURRENCY: z.coerce
    .number({ message: workersMessage })
    .int(workersMessage)
    .min(1, workersMessage)
    .max(MAX_WORKERS, workersMessage)
    .default(1),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** json: one JSON line per event, for log collectors; pretty: for a person at a terminal (032). */
  LOG_FORMAT: z.enum(["json", "pretty"], { message: "must be json or pretty" }).default("json"),
  /** Unset: no /metrics at all. Set: /metrics answers this bearer token only (decision 032). */
  METRICS_TOKEN: bearerToken.optional(),
  /**
   * off: no LISTEN nor NOTIFY for change wake-ups between processes, only the 1 s poll
   * (PgBouncer in transaction mode, Neon's pooled endpoint without DATABASE_DIRECT_URL).
   * Decisions 036 and 047.
   */
  SYNC_NOTIFY: z
    .enum(["on", "off", "true", "false", "1", "0"], { message: "must be on or off" })
    .transform((value) => value === "on" || value === "true" || value === "1")
    .default(true),
  /** Change events older than this are pruned; a client further behind reloads (decision 036). */
  SYNC_RETENTION_DAYS: z.coerce
    .number({ message: "must be a whole number of days from 1 to 3650" })
    .int("must be a whole number of days from 1 to 3650")
    .min(1, "must be a whole number of days from 1 to 3650")
    .max(3650, "must be a whole number of days from 1 to 3650")
    .default(30),
  /** Tasks stay this long in the trash before the server deletes them for good (decision 039). */
  TRASH_RETENTION_DAYS: z.coerce
    .number({ message: "must be a whole number of days from 1 to 3650" })
    .int("must be a whole number of days from 1 to 3650")
    .min(1, "must be a whole number of days from 1 to 3650")
    .max(3650, "must be a whole number of days from 1 to 3650")
    .default(30),
  WEB_DIST_DIR: z.string().min(1).optional(),
  /** Set by npm to the directory `npm start` was run from; relative paths resolve against it. */
  INIT_CWD: z.string().optional(),
});

export type Config = ReturnType<typeof toConfig>;

function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function toConfig(env: z.infer<typeof envSchema>) {
  const baseDir = env.INIT_CWD ?? process.cwd();
  const fromBase = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  const baseUrl = (env.BETTER_AUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  return {
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === "production",
    host: env.HOST,
    port: env.PORT,
    databaseUrl: env.DATABASE_URL,
    databaseDirectUrl: env.DATABASE_DIRECT_URL,
    databasePoolMax: env.DATABASE_POOL_MAX,
    databaseNamedStatements: env.DATABASE_NAMED_STATEMENTS,
    maxRequestsInProgress:
      env.MAX_REQUESTS_IN_PROGRESS ?? 2 * (env.DATABASE_POOL_MAX ?? DEFAULT_POOL_MAX),
    /** Where relative paths start: the directory `npm run` was started in. */
    baseDir,
    dataDir: fromBase(env.DATA_DIR),
    webDistDir: env.WEB_DIST_DIR ? fromBase(env.WEB_DIST_DIR) : paths.webDist,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
    metricsToken: env.METRICS_TOKEN,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    trustProxy: env.TRUST_PROXY,
    workers: env.WEB_CONCURRENCY,
    trashRetentionDays: env.TRASH_RETENTION_DAYS,
    corsOrigins: env.CORS_ORIGINS,
    sync: { notify: env.SYNC_NOTIFY, retentionDays: env.SYNC_RETENTION_DAYS },
    auth: {
      baseUrl,
      secret: env.BETTER_AUTH_SECRET,
      jwtExpiresIn: env.JWT_EXPIRES_IN,
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: env.AUTH_JWT_ISSUER ?? baseUrl,
      audience: env.AUTH_JWT_AUDIENCE ?? baseUrl,
      acceptHs256: env.AUTH_ACCEPT_HS256,
      rateLimit: env.AUTH_RATE_LIMIT ?? env.NODE_ENV === "production",
    },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Reads `.env` from the directory `npm start` was run in, if there is one. Variables already set in
 * the environment win over the file (Node's own `loadEnvFile` behaviour).
 */
export function loadDotEnvFile(): string | undefined {
  const file = join(process.env.INIT_CWD ?? process.cwd(), ".env");
  if (!existsSync(file)) return undefined;
  process.loadEnvFile(file);
  return file;
}

/** A base URL on this machine only: plain http is acceptable there, and nowhere else in production. */
export const isLocalUrl = (url: string) =>
  /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/i.test(url);

/**
 * Neon's pooled endpoint (PgBouncer in transaction mode), recognised by its host name: a session
 * advisory lock taken through it stays on whichever server connection ran it (decision 030).
 */
const isNeonPooler = (url: string | undefined) => {
  if (!url) return false;
  try {
    return /-pooler\./i.test(new URL(url).hostname);
  } catch {
    return false;
  }
};

/**
 * Rules that span variables, checked on the raw values so that they are reported together with
 * every other problem (a Zod refinement would wait until each field is valid on its own).
 */
function crossFieldProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const publicUrl = env.BETTER_AUTH_URL;
  if (env.NODE_ENV === "production" && publicUrl?.startsWith("http://") && !isLocalUrl(publicUrl)) {
    problems.push(
      "BETTER_AUTH_URL must be https:// when NODE_ENV=production: sessions and tokens would cross the network in clear text (plain http is for localhost only)",
    );
  }
  const hasSecret = env.BETTER_AUTH_SECRET !== undefined;
  if (env.NODE_ENV === "production" && !hasSecret) {
    problems.push(
      "BETTER_AUTH_SECRET is required when NODE_ENV=production (try: openssl rand -base64 32)",
    );
  }
  if (isNeonPooler(env.DATABASE_URL) && !env.DATABASE_DIRECT_URL) {
    problems.push(
      "DATABASE_DIRECT_URL is required when DATABASE_URL is Neon's pooled endpoint (-pooler in the host): migrations and start-up locks need a direct connection (the same URL without -pooler)",
    );
  }
  if ((env.AUTH_ACCEPT_HS256 === "true" || env.AUTH_ACCEPT_HS256 === "1") && !hasSecret) {
    problems.push(
      "AUTH_ACCEPT_HS256 needs BETTER_AUTH_SECRET: HS256 tokens are checked with that shared secret",
    );
  }
  const workers = Number(env.WEB_CONCURRENCY ?? 1);
  if (Number.isInteger(workers) && workers > 1 && env.DATABASE_URL === undefined) {
    problems.push(
      `WEB_CONCURRENCY=${workers} needs DATABASE_URL: without it the database is the embedded PGlite, which only one process can open; set DATABASE_URL to a PostgreSQL server, or leave WEB_CONCURRENCY at 1`,
    );
  }
  return problems;
}

/** Parses the environment; throws a ConfigError that lists every problem at once. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  // Empty strings mean "not set": `FOO= npm start` should fall back to the default, not fail.
  const defined = Object.fromEntries(
    Object.entries(source).filter(([, value]) => value !== undefined && value !== ""),
  );
  const parsed = envSchema.safeParse(defined);
  const problems = [
    ...(parsed.error?.issues.map((issue) => `${issue.path.join(".") || "env"} ${issue.message}`) ??
      []),
    ...crossFieldProblems(defined),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return toConfig(parsed.data);
}
