import type { Database } from "../db/client";
import { HttpProblem } from "../http/problem";
import { readChanges } from "./changes.queries";
import { toEventJson } from "./event-json";
import type { ChangePage } from "./sync.schemas";

/** The client's position is not in the log any more (pruned) or never was (another database). */
export const tooFarBehind = () =>
  new HttpProblem(
    410,
    "The changes since that point are no longer kept: reload the tasks, then follow the changes from the `next` of GET /changes without `since`.",
  );

/**
 * A client may continue from `since` when every event after it is still kept. A seq beyond the
 * newest one was never handed out by this database (a restore, another server): also a reload.
 */
export const canResumeFrom = (since: number, current: number, prunedThrough: number) =>
  since >= prunedThrough && since <= current;

/** GET /changes: the events after `since`, or with no `since` only the bookmark to start from. */
export async function changePage(
  db: Database,
  userId: string,
  since: number | undefined,
  limit: number,
): Promise<ChangePage> {
  const read = await readChanges(db, userId, since ?? 0, since === undefined ? 0 : limit);
  if (since === undefined) return { events: [], next: read.current, more: false };
  if (!canResumeFrom(since, read.current, read.prunedThrough)) throw tooFarBehind();
  const events = read.events.map(toEventJson);
  const next = events.at(-1)?.seq ?? since;
  return { events, next, more: next < read.current };
}
