import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { formatTotal } from "./count-tasks";
import { decodeCursor, encodeCursor } from "./cursor";
import { etagOf, ifNoneMatchHits, versionsFromIfMatch } from "./etag";
import { listTasks } from "./list-tasks";
import { toTaskJson } from "./task-json";
import * as queries from "./tasks.queries";
import type * as routes from "./tasks.routes";

type Handler<R extends RouteConfig> = RouteHandler<R, AppEnv>;

// `c.get(…)`, not `c.var.…`: Hono builds a fresh object of every variable on each `c.var` read.

/**
 * The same list URL with `cursor` replaced: relative, so it is right behind any proxy. Built from
 * the owner and the query string rather than by parsing the whole URL (decision 041).
 */
function nextPageUrl(c: Context<AppEnv>, cursor: string): string {
  const url = c.req.url;
  const start = url.indexOf("?");
  const query = new URLSearchParams(start === -1 ? "" : url.slice(start + 1));
  query.set("cursor", cursor);
  return `/api/${encodeURIComponent(c.get("userId"))}/tasks?${query}`;
}

export const list: Handler<typeof routes.list> = async (c) => {
  const query = c.req.valid("query");
  const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor, query);
  const page = await listTasks(c.get("db"), c.get("userId"), query, cursor);
  c.header("X-Total-Count", formatTotal(page.total));
  if (page.next) c.header("Link", `<${nextPageUrl(c, encodeCursor(page.next))}>; rel="next"`);
  return c.json(page.tasks.map(toTaskJson), 200);
};

export const create: Handler<typeof routes.create> = async (c) => {
  const task = await queries.createTask(c.get("db"), c.get("userId"), c.req.valid("json"));
  c.header("Location", `/api/${encodeURIComponent(task.userId)}/tasks/${task.id}`);
  c.header("ETag", etagOf(task));
  return c.json(toTaskJson(task), 201);
};

export const getOne: Handler<typeof routes.getOne> = async (c) => {
  const task = await queries.getTask(c.get("db"), c.get("userId"), c.req.valid("param").id);
  const etag = etagOf(task);
  c.header("ETag", etag);
  if (ifNoneMatchHits(c.req.header("If-None-Match"), etag)) return c.body(null, 304);
  return c.json(toTaskJson(task), 200);
};

export const update: Handler<typeof routes.update> = async (c) => {
  const { id } = c.req.valid("param");
  const versions = versionsFromIfMatch(c.req.header("If-Match"), id);
  const task = await queries.updateTask(
    c.get("db"),
    c.get("userId"),
    id,
    c.req.valid("json"),
    versions,
  );
  c.header("ETag", etagOf(task));
  return c.json(toTaskJson(task), 200);
};

export const remove: Handler<typeof routes.remove> = async (c) => {
  const { id } = c.req.valid("param");
  const versions = versionsFromIfMatch(c.req.header("If-Match"), id);
  await queries.deleteTask(c.get("db"), c.get("userId"), id, versions);
  return c.body(null, 204);
};

export const complete: Handler<typeof routes.complete> = async (c) => {
  const { id } = c.req.valid("param");
  const versions = versionsFromIfMatch(c.req.header("If-Match"), id);
  const { completed } = c.req.valid("json");
  const task = await queries.setCompleted(c.get("db"), c.get("userId"), id, completed, versions);
  c.header("ETag", etagOf(task));
  return c.json(toTaskJson(task), 200);
};

export const completeAll: Handler<typeof routes.completeAll> = async (c) => {
  // An absent body skips validation (and so its default): no body means "complete them all".
  const { completed = true } = c.req.valid("json");
  const updated = await queries.completeAll(c.get("db"), c.get("userId"), completed);
  return c.json({ updated }, 200);
};

export const clearCompleted: Handler<typeof routes.clearCompleted> = async (c) => {
  const deleted = await queries.clearCompleted(c.get("db"), c.get("userId"));
  return c.json({ deleted }, 200);
};
