import { useCallback, useEffect, useId, useRef, useState } from "react";
import { PRIORITIES, type TaskSort, type TaskStatus } from "@/lib/api-types";
import { useDebouncedValue } from "@/lib/use-debounced-value";
import type { TaskFilters } from "../api/task-keys";
import { SORTS } from "../hooks/use-task-filters";
import { PriorityOptions } from "./priority-options";

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

/**
 * A text box whose value reaches the URL once typing pauses. The first change of a round of
 * typing adds a history entry (so Back returns to the previous search); later pauses in the same
 * round replace it. Leaving the field ends the round.
 */
function useDebouncedField(
  value: string,
  commit: (value: string, options: { replace: boolean }) => void,
): [string, (next: string) => void, () => void] {
  const [text, setText] = useState(value);
  const debounced = useDebouncedValue(text, SEARCH_DEBOUNCE_MS);
  const latest = useRef({ value, commit });
  latest.current = { value, commit };
  const pushed = useRef(false);
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (debounced === latest.current.value) return;
    latest.current.commit(debounced, { replace: pushed.current });
    pushed.current = true;
  }, [debounced]);
  const endRound = useCallback(() => {
    pushed.current = false;
  }, []);
  return [text, setText, endRound];
}

export function TaskToolbar({ filters, onChange }: TaskToolbarProps) {
  const id = useId();
  const [search, setSearch, endSearch] = useDebouncedField(filters.q, (q, options) =>
    onChange({ q }, options),
  );
  const [tag, setTag, endTag] = useDebouncedField(filters.tag ?? "", (value, options) =>
    onChange({ tag: value.trim() || null }, options),
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
            onBlur={endSearch}
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
            <PriorityOptions />
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-tag`}>Tag</label>
          <input
            id={`${id}-tag`}
            value={tag}
            placeholder="Any"
            onChange={(event) => setTag(event.target.value)}
            onBlur={endTag}
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
