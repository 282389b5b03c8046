/**
 * Preloaded (`node --import`) into a one-off copy of the built API, never into the one being
 * measured: appends every statement the API sends through `pg`, and the options of its pool, to
 * the file named by BENCH_SQL_LOG, one JSON object a line. The benchmark reads it to check that
 * the bare server runs exactly the API's SQL with the same pool size (see bench/sql-parity.ts).
 * It hooks `pg` itself, not Drizzle, so that SQL sent past the ORM is seen too.
 */
import { appendFileSync } from "node:fs";
import pg from "pg";

export interface CapturedStatement {
  kind: "statement";
  text: string;
  /** Set when the API uses a named (prepared) statement. */
  name?: string;
}

export interface CapturedPool {
  kind: "pool";
  max?: number;
  connectionTimeoutMillis?: number;
  idleTimeoutMillis?: number;
  query_timeout?: number;
  statement_timeout?: number;
}

export type CapturedLine = CapturedStatement | CapturedPool;

const file = process.env.BENCH_SQL_LOG;
if (!file) throw new Error("BENCH_SQL_LOG must name the file to write to");
const write = (line: CapturedLine) => appendFileSync(file, `${JSON.stringify(line)}\n`);

type Method = (this: unknown, ...args: unknown[]) => unknown;
const hooks = (prototype: object) => prototype as Record<string, Method>;

const query = hooks(pg.Client.prototype).query;
hooks(pg.Client.prototype).query = function (...args) {
  const [config] = args;
  if (typeof config === "string") write({ kind: "statement", text: config });
  else if (config && typeof config === "object" && "text" in config) {
    write({
      kind: "statement",
      text: String(config.text),
      ...("name" in config && typeof config.name === "string" ? { name: config.name } : {}),
    });
  }
  return Reflect.apply(query as Method, this, args);
};

const seenPools = new WeakSet<object>();
const connect = hooks(pg.Pool.prototype).connect;
hooks(pg.Pool.prototype).connect = function (...args) {
  if (this instanceof pg.Pool && !seenPools.has(this)) {
    seenPools.add(this);
    const { options } = this as unknown as { options: pg.PoolConfig };
    write({
      kind: "pool",
      max: options.max,
      connectionTimeoutMillis: options.connectionTimeoutMillis,
      idleTimeoutMillis: options.idleTimeoutMillis ?? undefined,
      query_timeout: options.query_timeout,
      statement_timeout:
        typeof options.statement_timeout === "number" ? options.statement_timeout : undefined,
    });
  }
  return Reflect.apply(connect as Method, this, args);
};
