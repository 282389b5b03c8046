import { z } from "zod";
import { MAX_INTEGER } from "../db/tasks-schema";
import { problems } from "../http/problem";

/**
 * A position in the trash, newest deleted first: the last row's deleted_at and id. deleted_at has
 * millisecond precision (db/instant.ts), so its ISO text compares exactly. Opaque to clients.
 */
export interface TrashCursor {
  deletedAt: string;
  id: number;
}

const wireSchema = z.object({
  d: z.iso.datetime(),
  i: z.number().int().positive().max(MAX_INTEGER),
});

export function encodeTrashCursor(cursor: TrashCursor): string {
  return Buffer.from(JSON.stringify({ d: cursor.deletedAt, i: cursor.id })).toString("base64url");
}

export function decodeTrashCursor(raw: string): TrashCursor {
  try {
    const wire = wireSchema.parse(JSON.parse(Buffer.from(raw, "base64url").toString("utf8")));
    const year = new Date(wire.d).getUTCFullYear();
    if (!(year >= 1 && year <= 9999)) throw new Error("out of range");
    return { deletedAt: wire.d, id: wire.i };
  } catch {
    throw problems.validation([
      { path: "query.cursor", message: "is not a cursor this API issued" },
    ]);
  }
}
