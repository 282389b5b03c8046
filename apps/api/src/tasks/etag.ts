import { MAX_INTEGER, type TaskRow } from "../db/tasks-schema";

/** Strong ETag of a task: changes with every write, because `version` does. */
export function etagOf(task: Pick<TaskRow, "id" | "version">): string {
  return `"${task.id}-${task.version}"`;
}

/**
 * The versions an `If-Match` header accepts: undefined when absent or `*` (any current version);
 * an empty list when it names no version of this task (so the write fails with 412).
 * If-Match uses strong comparison, so weak tags (W/"…") never match.
 */
export function versionsFromIfMatch(
  header: string | undefined,
  taskId: number,
): number[] | undefined {
  if (header === undefined || header.trim() === "*") return undefined;
  const versions: number[] = [];
  for (const tag of header.split(",")) {
    // Exactly the text etagOf() writes: no leading zeros, no versions beyond 32 bits.
    const match = /^"([1-9]\d{0,9})-([1-9]\d{0,9})"$/.exec(tag.trim());
    const version = Number(match?.[2]);
    if (match && Number(match[1]) === taskId && version <= MAX_INTEGER) versions.push(version);
  }
  return versions;
}

/** If-None-Match uses weak comparison: W/"x" matches "x". */
export function ifNoneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}
