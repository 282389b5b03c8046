import { useMemo } from "react";
import { describeError } from "@/lib/api-errors";
import type { Task, UpdateTaskInput } from "@/lib/api-types";
import { useClearCompleted } from "../api/clear-completed";
import { useCompleteAll } from "../api/complete-all";
import { useDeleteTask } from "../api/delete-task";
import { usePendingCount } from "../api/get-pending-count";
import { useTasks } from "../api/get-tasks";
import { useToggleTask } from "../api/toggle-task";
import { useUpdateTask } from "../api/update-task";
import { useOfflineCreates } from "../hooks/use-offline-creates";
import { useTaskFilters } from "../hooks/use-task-filters";
import { AddTaskForm } from "./add-task-form";
import { TaskList } from "./task-list";
import { TaskToolbar } from "./task-toolbar";

export function TasksView({ userId }: { userId: string }) {
  const [filters, setFilters] = useTaskFilters();
  useOfflineCreates(userId);
  const tasksQuery = useTasks(userId, filters);
  const pendingCount = usePendingCount(userId);
  const toggle = useToggleTask(userId);
  const update = useUpdateTask(userId);
  const completeAll = useCompleteAll(userId);
  const clearCompleted = useClearCompleted(userId);
  const remove = useDeleteTask(userId);

  const tasks = useMemo(
    () => tasksQuery.data?.pages.flatMap((page) => page.tasks) ?? [],
    [tasksQuery.data],
  );
  const firstPage = tasksQuery.data?.pages[0];
  const total = Math.max(0, firstPage?.total ?? 0);
  const totalText = `${total}${firstPage?.totalAtLeast ? "+" : ""}`;
  const left = pendingCount.data === undefined ? null : Math.max(0, pendingCount.data);
  const filtered =
    filters.q !== "" ||
    filters.priority !== null ||
    filters.tag !== null ||
    filters.status !== "all";

  // Unfiltered, the list's total minus the tasks left is the number completed; with filters it is
  // unknown and the button stays enabled.
  const noneCompleted =
    !filtered && tasksQuery.data !== undefined && left !== null && total - left <= 0;

  const handlers = {
    onToggle: (task: Task) =>
      toggle.mutate({ id: task.id, completed: !task.completed, version: task.version }),
    onSave: (task: Task, input: UpdateTaskInput) =>
      update.mutate({ id: task.id, input, base: task }),
    onDelete: (task: Task) => {
      // Keep keyboard focus in the list: on the card that takes this one's place (by position,
      // as a new task's temporary id may change meanwhile), else the one before, else the input.
      const index = tasks.findIndex((t) => t.id === task.id);
      const target = index < tasks.length - 1 ? index : index - 1;
      remove.mutate(task);
      requestAnimationFrame(() => {
        const card = document.querySelector<HTMLElement>(
          `.task-list > [data-index="${target}"] article`,
        );
        (card ?? document.querySelector<HTMLElement>(".add-task-title"))?.focus();
      });
    },
  };

  return (
    <div className="tasks-view">
      <AddTaskForm userId={userId} />
      <TaskToolbar filters={filters} onChange={setFilters} />
      <div className="summary">
        <p className="counter" aria-live="polite">
          {left === null ? "Counting tasks…" : `${left} ${left === 1 ? "task" : "tasks"} left`}
          {tasksQuery.data && filtered && <span className="muted"> · {totalText} shown</span>}
        </p>
        <div className="summary-actions">
          <button
            type="button"
            className="button button-small"
            onClick={() => completeAll.mutate()}
            disabled={left === 0}
          >
            Mark all complete
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => clearCompleted.mutate()}
            disabled={noneCompleted}
          >
            Clear completed
          </button>
        </div>
      </div>
      {tasksQuery.isError && tasksQuery.data && (
        <div className="banner" role="alert">
          <span>Could not refresh tasks: {describeError(tasksQuery.error)}</span>
          <button
            type="button"
            className="button button-small"
            onClick={() => tasksQuery.refetch()}
          >
            Try again
          </button>
        </div>
      )}
      {tasksQuery.isPending ? (
        <p className="list-status" role="status">
          Loading tasks…
        </p>
      ) : tasksQuery.isError && !tasksQuery.data ? (
        <div className="list-status" role="alert">
          <p>Could not load tasks: {describeError(tasksQuery.error)}</p>
          <button type="button" className="button" onClick={() => tasksQuery.refetch()}>
            Try again
          </button>
        </div>
      ) : tasks.length === 0 && !tasksQuery.hasNextPage ? (
        <p className="list-status empty">
          {filtered ? "No tasks match these filters." : "No tasks yet. Add your first one above."}
        </p>
      ) : (
        <TaskList
          tasks={tasks}
          hasNextPage={tasksQuery.hasNextPage}
          isFetchingNextPage={tasksQuery.isFetchingNextPage}
          fetchNextPage={() => void tasksQuery.fetchNextPage()}
          {...handlers}
        />
      )}
    </div>
  );
}
