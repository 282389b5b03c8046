import type { Task } from "../api-types";
import type { EditableFields } from "./queued-write";

export interface MergedEdit {
  /** The user's changes still to send: the fields nobody else changed meanwhile. */
  apply: EditableFields;
  /** Fields both sides changed, to different values: the server's value stays (decision 038). */
  conflicts: (keyof EditableFields)[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * After a 412: re-applies only the fields the user changed. A field the server still has at the
 * value the user started from takes the user's value; one the server already has at the user's
 * value needs nothing; one changed elsewhere to something else keeps the server's value and is
 * reported, so the user can be told.
 */
export function mergeChanges(
  base: EditableFields,
  changes: EditableFields,
  current: Task,
): MergedEdit {
  const apply: Record<string, unknown> = {};
  const conflicts: (keyof EditableFields)[] = [];
  for (const field of Object.keys(changes) as (keyof EditableFields)[]) {
    const ours = changes[field];
    const theirs = current[field];
    if (same(theirs, ours)) continue;
    if (same(theirs, base[field])) apply[field] = ours;
    else conflicts.push(field);
  }
  return { apply: apply as EditableFields, conflicts };
}
