import { z } from "zod";
import { problems } from "../http/problem";
import type { ListQuery } from "./tasks.schemas";

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
  s: z.enum(["created", "updated", "title", "due_date", "priority"]),
  o: z.enum(["asc", "desc"]),
  v: z.string().max(400).nullable(),
  i: z.number().int().positive(),
});

export function encodeCursor(cursor: Cursor): string {
  const wire = { s: cursor.sort, o: cursor.order, v: cursor.value, i: cursor.id };
  return Buffer.from(JSON.stringify(wire)).toString("base64url");
}

export function decodeCursor(raw: string, query: Pick<ListQuery, "sort" | "order">): Cursor {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
  } catch {
    throw problems.validation([
      { path: "query.cursor", message: "is not a cursor this API issued" },
    ]);
  }
  if (parsed.s !== query.sort || parsed.o !== query.order) {
    throw problems.validation([
      { path: "query.cursor", message: "belongs to another sort or order; start again without it" },
    ]);
  }
  return { sort: parsed.s, order: parsed.o, value: parsed.v, id: parsed.i };
}
