/**
 * The bare reference server (issue 7, item 1): `node:http` and a `pg` pool running exactly the
 * API's SQL (bench/bare-sql.ts) for the benchmarked workloads, as named prepared statements, and
 * answering the same JSON. No framework, no auth (the user id is read from the URL), no validation
 * beyond what the SQL needs. It is the limit the API is measured against; keep it honest: the same
 * pool options as the API (the benchmark passes the ones it captured from the API), the same
 * statements, the same rows and headers out. Started by bench/bench.ts, never deployed.
 *
 *   DATABASE_URL=… PORT=… BARE_POOL='{"max":10}' node dist/bench/bare-server.js
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";
import { bareSql } from "./bare-sql";

/** A row as the statements return it: the columns of TASK_COLUMNS in order, as Drizzle reads them. */
type TaskRow = [
  id: number,
  userId: string,
  title: string,
  description: string | null,
  completed: boolean,
  completedAt: Date | null,
  priority: string,
  tags: string[],
  dueDate: Date | null,
  version: number,
  createdAt: Date,
  updatedAt: Date,
  deletedAt: Date | null,
  /** Only from listPage: the sort key as Postgres prints it, for the next cursor. */
  sortValue?: string | null,
  /** Only from listPage: the user's counters (all tasks, completed ones). */
  total?: number,
  done?: number,
];

export interface BarePoolOptions {
  max: number;
  connectionTimeoutMillis?: number;
  idleTimeoutMillis?: number;
  query_timeout?: number;
  /** Set on each new connection, as the API does (`set statement_timeout = …`). */
  statement_timeout?: number;
}

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("DATABASE_URL is required");
const poolOptions = JSON.parse(process.env.BARE_POOL ?? '{"max":10}') as BarePoolOptions;
const { statement_timeout: statementTimeout, ...options } = poolOptions;

const pool = new pg.Pool({
  connectionString: databaseUrl,
  ...options,
  onConnect:
    statementTimeout === undefined
      ? undefined
      : (client) =>
          client.query(`set statement_timeout = ${Number(statementTimeout)}`).then(() => {}),
});
pool.on("error", () => {});

/** Named, so that each connection parses and plans a statement once; rows as arrays (TaskRow). */
const run = async (name: keyof typeof bareSql, values: unknown[]) =>
  (await pool.query<TaskRow>({ name, text: bareSql[name], values, rowMode: "array" })).rows;

/** The API's task JSON (src/tasks/task-json.ts), key for key. */
const toJson = (row: TaskRow) => ({
  id: row[0],
  user_id: row[1],
  title: row[2],
  description: row[3],
  completed: row[4],
  completed_at: row[5]?.toISOString() ?? null,
  priority: row[6],
  tags: row[7],
  due_date: row[8]?.toISOString() ?? null,
  created_at: row[10].toISOString(),
  updated_at: row[11].toISOString(),
  version: row[9],
});

/** src/tasks/etag.ts etagOf. */
const etagOf = (row: TaskRow) => `"${row[0]}-${row[9]}"`;

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(json),
    ...headers,
  });
  response.end(json);
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  const body: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  return body && typeof body === "object" ? (body as Record<string, unknown>) : {};
}

const notFound = (response: ServerResponse) =>
  send(response, 404, { title: "Not Found", status: 404 });

function one(response: ServerResponse, rows: TaskRow[], status = 200, location = false) {
  const [row] = rows;
  if (!row) return notFound(response);
  const headers: Record<string, string> = { ETag: etagOf(row) };
  if (location) headers.Location = `/api/${encodeURIComponent(row[1])}/tasks/${row[0]}`;
  send(response, status, toJson(row), headers);
}

const ROUTE = /^\/api\/([^/?]+)\/tasks(?:\/(\d+)(\/complete)?)?(?:\?(.*))?$/;

async function handle(request: IncomingMessage, response: ServerResponse) {
  if (request.url === "/ready") return send(response, 200, { status: "ready" });
  const match = ROUTE.exec(request.url ?? "");
  if (!match) return notFound(response);
  const [, rawUser = "", rawId, complete, search] = match;
  const userId = decodeURIComponent(rawUser);
  const id = rawId === undefined ? undefined : Number(rawId);
  const method = request.method ?? "GET";

  if (id === undefined && method === "GET") {
    // listTasks with the default sort and order; the bare server knows no filters.
    const params = new URLSearchParams(search);
    const limit = Number(params.get("limit") ?? 50);
    const answer = await run("listPage", [userId, userId, limit + 1]);
    // Without tasks, one row of the counters alone, its task columns null.
    const rows = answer[0]?.[0] === null ? [] : answer;
    const page = rows.slice(0, limit);
    const headers: Record<string, string> = { "X-Total-Count": String(answer[0]?.[14] ?? 0) };
    const last = page.at(-1);
    if (rows.length > limit && last) {
      // The API's cursor (src/tasks/cursor.ts encodeCursor) in its Link header.
      const wire = { s: "created", o: "desc", v: last[13] ?? null, i: last[0] };
      params.set("cursor", Buffer.from(JSON.stringify(wire)).toString("base64url"));
      headers.Link = `</api/${rawUser}/tasks?${params}>; rel="next"`;
    }
    return send(response, 200, page.map(toJson), headers);
  }
  if (id === undefined && method === "POST") {
    const body = await readJson(request);
    const completed = body.completed === true;
    const rows = await run("createTask", [
      userId,
      body.title,
      body.description ?? null,
      completed,
      completed,
      body.priority ?? "medium",
      body.tags ?? [],
      body.due_date ?? null,
    ]);
    return one(response, rows, 201, true);
  }
  if (id !== undefined && !complete && method === "GET") {
    return one(response, await run("getTask", [userId, id]));
  }
  if (id !== undefined && !complete && method === "PUT") {
    const { title } = await readJson(request);
    if (typeof title !== "string") return send(response, 422, { title: "title is required" });
    return one(response, await run("updateTitle", [title, userId, id]));
  }
  if (id !== undefined && complete && method === "PATCH") {
    await readJson(request);
    return one(response, await run("toggle", [userId, id]));
  }
  send(response, 405, { title: "Method Not Allowed", status: 405 });
}

const server = createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    if (!response.headersSent) {
      send(response, 500, { title: "Internal Server Error", detail: String(error) });
    } else response.destroy();
  });
});

server.listen(Number(process.env.PORT ?? 3001), process.env.HOST ?? "127.0.0.1");
const stop = () => {
  server.close();
  server.closeIdleConnections();
  void pool.end();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
