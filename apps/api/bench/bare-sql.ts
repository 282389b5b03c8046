/**
 * The SQL of the bare reference server (bench/bare-server.ts): exactly the statements the API sends
 * for each benchmarked workload, copied from what Drizzle generates for the functions of
 * src/tasks/tasks.queries.ts named below. When the API's SQL changes, change these alongside: the
 * benchmark captures the API's statements in every Postgres run and marks a ratio whose SQL
 * differs (bench/sql-parity.ts), and exits with status 1.
 */

const TASK_COLUMNS = `"id", "user_id", "title", "description", "completed", "completed_at", "priority", "tags", "due_date", "version", "created_at", "updated_at", "deleted_at"`;

/** A page's task columns, read from the subquery `r`. */
const PAGE_COLUMNS = TASK_COLUMNS.split(", ")
  .map((column) => `r.${column}`)
  .join(", ");

export const bareSql = {
  /** getTask(db, userId, id). Parameters: user_id, id. */
  getTask: `select ${TASK_COLUMNS} from "tasks" where ("tasks"."user_id" = $1 and "tasks"."id" = $2 and "tasks"."deleted_at" is null)`,

  /**
   * listTasks(db, userId, { sort: "created", order: "desc", limit }, undefined) in
   * src/tasks/list-tasks.ts: the page, with the sort key as text for the next cursor, and the
   * trigger-kept counters in the same statement (X-Total-Count), one row of them alone when the
   * page is empty. Parameters: user_id, user_id, limit + 1.
   */
  listPage: `select ${PAGE_COLUMNS}, r.sort_value, counted.total, counted.done from ( select coalesce(max("task_counts"."total"), 0) as total, coalesce(max("task_counts"."completed"), 0) as done from "task_counts" where "task_counts"."user_id" = $1 ) as counted left join (select ${TASK_COLUMNS}, ("tasks"."created_at")::text as "sort_value" from "tasks" where ("tasks"."user_id" = $2 and "tasks"."deleted_at" is null) order by "tasks"."created_at" desc, "tasks"."id" desc limit $3) as r on true`,

  /**
   * createTask(db, userId, input). Parameters: user_id, title, description, completed,
   * completed (again, for completed_at), priority, tags, due_date.
   */
  createTask: `insert into "tasks" (${TASK_COLUMNS}) values (default, $1, $2, $3, $4, case when $5 then now() end, $6, $7, $8, default, default, default, default) returning ${TASK_COLUMNS}`,

  /** updateTask(db, userId, id, { title }, undefined). Parameters: title, user_id, id. */
  updateTitle: `update "tasks" set "title" = $1, "version" = "tasks"."version" + 1, "updated_at" = now() where ("tasks"."user_id" = $2 and "tasks"."id" = $3 and "tasks"."deleted_at" is null) returning ${TASK_COLUMNS}`,

  /** setCompleted(db, userId, id, undefined, undefined), the toggle. Parameters: user_id, id. */
  toggle: `update "tasks" set "completed" = not "tasks"."completed", "completed_at" = case when "tasks"."completed" then null else now() end, "version" = "tasks"."version" + 1, "updated_at" = now() where ("tasks"."user_id" = $1 and "tasks"."id" = $2 and "tasks"."deleted_at" is null) returning ${TASK_COLUMNS}`,
} as const;

/** The benchmarked workloads, and the statements each runs on the bare server. */
export const WORKLOADS = {
  "get one": [bareSql.getTask],
  "list, first page": [bareSql.listPage],
  create: [bareSql.createTask],
  "update (PUT title)": [bareSql.updateTitle],
  "toggle (PATCH complete)": [bareSql.toggle],
} as const satisfies Record<string, readonly string[]>;

export type Workload = keyof typeof WORKLOADS;
export const workloadNames = Object.keys(WORKLOADS) as Workload[];
