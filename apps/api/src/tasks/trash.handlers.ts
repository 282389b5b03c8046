import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import type { TaskRow } from "../db/tasks-schema";
import { etagOf, versionsFromIfMatch } from "./etag";
import { taskHistory } from "./history.queries";
import { toTaskJson } from "./task-json";
import * as queries from "./trash.queries";
import type * as routes from "./trash.routes";
import { decodeTrashCursor, encodeTrashCursor } from "./trash-cursor";

type Handler<R extends RouteConfig> = RouteHandler<R, AppEnv>;

/** Task JSON with the time it went to the trash. */
function toTrashedTaskJson(row: TaskRow) {
  if (!row.deletedAt) throw new Error(`task ${row.id} is listed in the trash but is live`);
  return { ...toTaskJson(row), deleted_at: row.deletedAt.toISOString() };
}

export const listTrash: Handler<typeof routes.listTrash> = async (c) => {
  const query = c.req.valid("query");
  const cursor = query.cursor === undefined ? undefined : decodeTrashCursor(query.cursor);
  const page = await queries.listTrash(c.get("db"), c.get("userId"), query.limit, cursor);
  if (page.next) {
    const url = new URL(c.req.url);
    url.searchParams.set("cursor", encodeTrashCursor(page.next));
    c.header("Link", `<${url.pathname}${url.search}>; rel="next"`);
  }
  return c.json(page.tasks.map(toTrashedTaskJson), 200);
};

export const restore: Handler<typeof routes.restore> = async (c) => {
  const { id } = c.req.valid("param");
  const versions = versionsFromIfMatch(c.req.header("If-Match"), id);
  const task = await queries.restoreTask(c.get("db"), c.get("userId"), id, versions);
  c.header("ETag", etagOf(task));
  return c.json(toTaskJson(task), 200);
};

export const purgeOne: Handler<typeof routes.purgeOne> = async (c) => {
  await queries.purgeTask(c.get("db"), c.get("userId"), c.req.valid("param").id);
  return c.body(null, 204);
};

export const emptyTrash: Handler<typeof routes.emptyTrash> = async (c) => {
  const purged = await queries.emptyTrash(c.get("db"), c.get("userId"));
  return c.json({ purged }, 200);
};

export const history: Handler<typeof routes.history> = async (c) => {
  const entries = await taskHistory(c.get("db"), c.get("userId"), c.req.valid("param").id);
  return c.json({ entries }, 200);
};
