import { z } from "zod";
import { MAX_INTEGER, taskPriorities } from "../db/tasks-schema";
import { problems } from "../http/problem";
import { type ListQuery, TASK_SORTS } from "./tasks.schemas";

/**
 * A keyset position: the sort key of the last row of a page (as Postgres printed it, so that it
 * compares exactly) and its id, bound to the sort and order it was made for. Opaque to clients.
 */
export interface Cursor {
  sort: ListQuery["sort"];
  order: ListQuery["order"];
  value: string | null;
  id: number;
}

const cursorSchema = z.object({
  s: z.enum(TASK_SORTS),
  o: z.enum(["asc", "desc"]),
  v: z.string().max(400).nullable(),
  i: z.number().int().positive().max(MAX_INTEGER),
});

export function encodeCursor(cursor: Cursor): string {
  const wire = { s: cursor.sort, o: cursor.order, v: cursor.value, i: cursor.id };
  return Buffer.from(JSON.stringify(wire)).toString("base64url");
}

/** Postgres' text form of a timestamptz, e.g. `2026-11-23 02:21:58.476+00`. */
const TIMESTAMP_TEXT =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?[+-](\d{2})(?::\d{2})?$/;

function isTimestampText(value: string): boolean {
  const parts = TIMESTAMP_TEXT.exec(value)?.slice(1).map(Number);
  if (!parts) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, offset = 0] = parts;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return (
    year >= 1 &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offset <= 15
  );
}

/** The value must be one the sort's column could hold, or the database would throw. */
function valueFits(sort: Cursor["sort"], value: string | null): boolean {
  switch (sort) {
    case "created":
    case "updated":
      return value !== null && isTimestampText(value);
    case "due_date":
      return value === null || isTimestampText(value);
    case "priority":
      return value !== null && (taskPriorities as readonly string[]).includes(value);
    case "title":
      return value !== null && !value.includes("\u0000");
  }
}

const invalidCursor = (message: string) => problems.validation([{ path: "query.cursor", message }]);

export function decodeCursor(raw: string, query: Pick<ListQuery, "sort" | "order">): Cursor {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw invalidCursor("is not a cursor this API issued");
  }
  if (!valueFits(parsed.s, parsed.v)) throw invalidCursor("is not a cursor this API issued");
  if (parsed.s !== query.sort || parsed.o !== query.order) {
    throw invalidCursor("belongs to another sort or order; start again without it");
  }
  return { sort: parsed.s, order: parsed.o, value: parsed.v, id: parsed.i };
}
