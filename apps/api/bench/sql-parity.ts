import { WORKLOADS, type Workload } from "./bare-sql";
import type { CapturedLine, CapturedPool, CapturedStatement } from "./capture-sql";

/** What the API ran for one workload, next to what the bare server runs. */
export interface SqlParity {
  workload: Workload;
  /** The API's statements on tasks and task_counts equal the bare server's (order aside). */
  matches: boolean;
  api: string[];
  bare: string[];
  /** Other statements the API ran for the request (sessions, rate limits…), for information. */
  other: string[];
}

const normalise = (text: string) => text.replace(/\s+/g, " ").trim();
const isTaskSql = (text: string) => /"(tasks|task_counts)"/.test(text);

export function parseCapture(text: string): CapturedLine[] {
  return text
    .split("\n")
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as CapturedLine);
}

/**
 * The options of the first pool the API opened (the migration client is a plain Client, not a
 * pool), with the statement_timeout it sets on each new connection, if it does.
 */
export function capturedPool(lines: CapturedLine[]): CapturedPool | undefined {
  const pool = lines.find((line): line is CapturedPool => line.kind === "pool");
  const timeout = lines
    .map((line) =>
      line.kind === "statement"
        ? /^set statement_timeout\s*=\s*'?(\d+)'?$/i.exec(line.text.trim())
        : null,
    )
    .find((match) => match !== null);
  if (!pool || !timeout) return pool;
  return { ...pool, statement_timeout: pool.statement_timeout ?? Number(timeout[1]) };
}

export function compareWorkload(workload: Workload, lines: CapturedLine[]): SqlParity {
  const statements = lines
    .filter((line): line is CapturedStatement => line.kind === "statement")
    .map((line) => normalise(line.text))
    .filter((text) => !/^set statement_timeout/i.test(text));
  const api = statements.filter(isTaskSql).sort();
  const bare = WORKLOADS[workload].map(normalise).sort();
  return {
    workload,
    matches: api.length === bare.length && api.every((text, index) => text === bare[index]),
    api,
    bare,
    other: statements.filter((text) => !isTaskSql(text)),
  };
}
