import { useState } from "react";
import { useRestoreTask } from "@/features/tasks/api/restore-task";
import { describeError } from "@/lib/api-errors";
import type { TrashedTask } from "@/lib/api-types";
import { useTrash } from "../api/get-trash";
import { useEmptyTrash, usePurgeTask } from "../api/purge-task";

const whenFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/**
 * The trash (API decision 039): deleted tasks, newest first, each restorable or deletable for
 * good; the server empties it of anything older than its retention (30 days by default).
 */
export function TrashView({ userId }: { userId: string }) {
  const trash = useTrash(userId);
  const restore = useRestoreTask(userId);
  const purge = usePurgeTask(userId);
  const empty = useEmptyTrash(userId);
  const [confirming, setConfirming] = useState(false);
  const tasks = trash.data?.pages.flatMap((page) => page.tasks) ?? [];
  const busy = (task: TrashedTask) =>
    (restore.isPending && restore.variables?.task.id === task.id) ||
    (purge.isPending && purge.variables?.id === task.id);

  return (
    <section className="trash-view" aria-labelledby="trash-heading">
      <div className="summary">
        <h2 id="trash-heading" className="counter">
          Trash
        </h2>
        <div className="summary-actions">
          {confirming ? (
            <>
              <button
                type="button"
                className="button button-small button-danger"
                disabled={empty.isPending}
                onClick={() => {
                  setConfirming(false);
                  empty.mutate();
                }}
              >
                Delete all forever
              </button>
              <button
                type="button"
                className="button button-small"
                onClick={() => setConfirming(false)}
              >
                Keep them
              </button>
            </>
          ) : (
            <button
              type="button"
              className="button button-small"
              disabled={tasks.length === 0 || empty.isPending}
              onClick={() => setConfirming(true)}
            >
              Empty trash
            </button>
          )}
        </div>
      </div>
      <p className="muted">Deleted tasks stay here for 30 days, then they are deleted for good.</p>
      {trash.isPending ? (
        <p className="list-status" role="status">
          Loading the trash…
        </p>
      ) : trash.isError && !trash.data ? (
        <div className="list-status" role="alert">
          <p>Could not load the trash: {describeError(trash.error)}</p>
          <button type="button" className="button" onClick={() => trash.refetch()}>
            Try again
          </button>
        </div>
      ) : tasks.length === 0 ? (
        <p className="list-status empty">The trash is empty.</p>
      ) : (
        <ul className="trash-list" aria-label="Deleted tasks">
          {tasks.map((task) => (
            <li key={task.id} className="card trash-item" aria-label={task.title}>
              <div className="task-body">
                <h3 className="task-title">{task.title}</h3>
                <p className="muted">
                  Deleted{" "}
                  <time dateTime={task.deleted_at}>
                    {whenFormat.format(new Date(task.deleted_at))}
                  </time>
                </p>
              </div>
              <div className="task-actions">
                <button
                  type="button"
                  className="button button-small"
                  disabled={busy(task)}
                  onClick={() => restore.mutate({ task })}
                  aria-label={`Restore “${task.title}”`}
                >
                  Restore
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  disabled={busy(task)}
                  onClick={() => purge.mutate(task)}
                  aria-label={`Delete “${task.title}” forever`}
                >
                  Delete forever
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {trash.hasNextPage && (
        <button
          type="button"
          className="button"
          disabled={trash.isFetchingNextPage}
          onClick={() => void trash.fetchNextPage()}
        >
          {trash.isFetchingNextPage ? "Loading…" : "Show more"}
        </button>
      )}
    </section>
  );
}
