import { useEffect, useId, useRef, useState } from "react";
import { PRIORITIES, type TaskSort, type TaskStatus } from "@/lib/api-types";
import { useDebouncedValue } from "@/lib/use-debounced-value";
import type { TaskFilters } from "../api/task-keys";
import { SORTS } from "../hooks/use-task-filters";

const statusLabels: Record<TaskStatus, string> = {
  all: "All",
  pending: "Pending",
  completed: "Completed",
};
const sortLabels: Record<TaskSort, string> = {
  created: "Newest",
  updated: "Recently updated",
  due_date: "Due date",
  priority: "Priority",
  title: "Title",
};

export const SEARCH_DEBOUNCE_MS = 300;

interface TaskToolbarProps {
  filters: TaskFilters;
  onChange: (change: Partial<TaskFilters>, options?: { replace?: boolean }) => void;
}

/** A text box whose value reaches the URL once typing pauses. */
function useDebouncedField(
  value: string,
  commit: (value: string) => void,
): [string, (next: string) => void] {
  const [text, setText] = useState(value);
  const debounced = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  const latest = useRef({ value, commit });
  latest.current = { value, commit };
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (debounced !== latest.current.value) latest.current.commit(debounced);
  }, [debounced]);
  return [text, setText];
}

export function TaskToolbar({ filters, onChange }: TaskToolbarProps) {
  const id = useId();
  const [search, setSearch] = useDebouncedField(filters.q, (q) =>
    onChange({ q }, { replace: true }),
  );
  const [tag, setTag] = useDebouncedField(filters.tag ?? "", (value) =>
    onChange({ tag: value.trim() || null }, { replace: true }),
  );

  return (
    <div className="toolbar">
      <fieldset className="segmented">
        <legend className="visually-hidden">Show</legend>
        {(Object.keys(statusLabels) as TaskStatus[]).map((status) => (
          <button
            key={status}
            type="button"
            className="segment"
            aria-pressed={filters.status === status}
            onClick={() => onChange({ status })}
          >
            {statusLabels[status]}
          </button>
        ))}
      </fieldset>
      <div className="toolbar-fields">
        <div className="field field-search">
          <label htmlFor={`${id}-q`}>Search</label>
          <input
            id={`${id}-q`}
            type="search"
            value={search}
            placeholder="Title or description"
            onChange={(event) => setSearch(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-priority`}>Priority</label>
          <select
            id={`${id}-priority`}
            value={filters.priority ?? ""}
            onChange={(event) =>
              onChange({ priority: PRIORITIES.find((p) => p === event.target.value) ?? null })
            }
          >
            <option value="">Any</option>
            {PRIORITIES.map((priority) => (
              <option key={priority} value={priority}>
                {priority[0]?.toUpperCase()}
                {priority.slice(1)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-tag`}>Tag</label>
          <input
            id={`${id}-tag`}
            value={tag}
            placeholder="Any"
            onChange={(event) => setTag(event.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-sort`}>Sort by</label>
          <select
            id={`${id}-sort`}
            value={filters.sort}
            onChange={(event) => {
              const sort = SORTS.find((s) => s === event.target.value);
              if (sort) onChange({ sort });
            }}
          >
            {SORTS.map((sort) => (
              <option key={sort} value={sort}>
                {sortLabels[sort]}
              </option>
            ))}
          </select>
        </div>
      </div>
    </div>
  );
}
