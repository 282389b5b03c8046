import { defaultRangeExtractor, type Range, useWindowVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import type { Task, UpdateTaskInput } from "@/lib/api-types";
import { renderKey } from "../utils/render-keys";
import { TaskCard } from "./task-card";

interface TaskListProps {
  tasks: Task[];
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => void;
  onToggle: (task: Task) => void;
  onSave: (task: Task, input: UpdateTaskInput) => void;
  onDelete: (task: Task) => void;
}

/**
 * Window-scrolled virtual list: only the cards near the viewport are in the DOM, so thousands of
 * tasks scroll smoothly; the next cursor page loads when the last rendered card gets close.
 */
export function TaskList({
  tasks,
  hasNextPage,
  isFetchingNextPage,
  fetchNextPage,
  ...handlers
}: TaskListProps) {
  const listRef = useRef<HTMLUListElement>(null);
  const [scrollMargin, setScrollMargin] = useState(0);

  useLayoutEffect(() => {
    setScrollMargin(listRef.current?.offsetTop ?? 0);
  }, []);

  // Cards being edited stay mounted when scrolled out of view, so a half-typed edit survives.
  const [editingIds, setEditingIds] = useState<ReadonlySet<number>>(new Set());
  const onEditingChange = useCallback((task: Task, editing: boolean) => {
    setEditingIds((current) => {
      const next = new Set(current);
      if (editing) next.add(renderKey(task.id));
      else next.delete(renderKey(task.id));
      return next;
    });
  }, []);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = new Set(defaultRangeExtractor(range));
      tasks.forEach((task, index) => {
        if (editingIds.has(renderKey(task.id))) indexes.add(index);
      });
      return [...indexes].sort((a, b) => a - b);
    },
    [tasks, editingIds],
  );

  const virtualizer = useWindowVirtualizer({
    count: tasks.length,
    estimateSize: () => 112,
    overscan: 6,
    scrollMargin,
    rangeExtractor,
    getItemKey: (index) => {
      const task = tasks[index];
      return task ? renderKey(task.id) : index;
    },
  });

  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasNextPage && !isFetchingNextPage && lastIndex >= tasks.length - 10) fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, lastIndex, tasks.length, fetchNextPage]);

  return (
    <>
      <ul
        ref={listRef}
        className="task-list"
        style={{ height: virtualizer.getTotalSize() }}
        aria-label="Tasks"
      >
        {items.map((item) => {
          const task = tasks[item.index];
          if (!task) return null;
          return (
            <li
              key={item.key}
              data-index={item.index}
              ref={virtualizer.measureElement}
              className="task-list-item"
              aria-setsize={tasks.length}
              aria-posinset={item.index + 1}
              style={{ transform: `translateY(${item.start - scrollMargin}px)` }}
            >
              <TaskCard task={task} {...handlers} onEditingChange={onEditingChange} />
            </li>
          );
        })}
      </ul>
      {isFetchingNextPage && (
        <p className="list-status" role="status">
          Loading more tasks…
        </p>
      )}
    </>
  );
}
