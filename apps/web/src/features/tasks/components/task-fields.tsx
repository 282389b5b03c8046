import { useId } from "react";
import { PRIORITIES } from "@/lib/api-types";
import { TASK_LIMITS } from "@/lib/task-limits";
import { descriptionLength, type TaskFormErrors, type TaskFormValues } from "../utils/task-form";
import { CharacterCounter, describedBy } from "./character-counter";
import { PriorityOptions } from "./priority-options";

interface TaskFieldsProps {
  values: TaskFormValues;
  errors: TaskFormErrors;
  onChange: (change: Partial<TaskFormValues>) => void;
}

/** The optional fields shared by the add form and the edit form. */
export function TaskFields({ values, errors, onChange }: TaskFieldsProps) {
  const id = useId();
  return (
    <div className="task-fields">
      <div className="field field-wide">
        <label htmlFor={`${id}-description`}>Description</label>
        <textarea
          id={`${id}-description`}
          value={values.description}
          rows={2}
          aria-invalid={errors.description ? true : undefined}
          aria-describedby={describedBy(
            `${id}-description-count`,
            errors.description && `${id}-description-error`,
          )}
          onChange={(event) => onChange({ description: event.target.value })}
        />
        <CharacterCounter
          id={`${id}-description-count`}
          length={descriptionLength(values)}
          max={TASK_LIMITS.description}
        />
        {errors.description && (
          <p id={`${id}-description-error`} className="field-error">
            {errors.description}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-priority`}>Priority</label>
        <select
          id={`${id}-priority`}
          value={values.priority}
          onChange={(event) => {
            const priority = PRIORITIES.find((p) => p === event.target.value);
            if (priority) onChange({ priority });
          }}
        >
          <PriorityOptions />
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-tags`}>Tags</label>
        <input
          id={`${id}-tags`}
          value={values.tags}
          placeholder="home, work"
          aria-invalid={errors.tags ? true : undefined}
          aria-describedby={`${id}-tags-hint${errors.tags ? ` ${id}-tags-error` : ""}`}
          onChange={(event) => onChange({ tags: event.target.value })}
        />
        <p id={`${id}-tags-hint`} className="field-hint">
          Separate with commas
        </p>
        {errors.tags && (
          <p id={`${id}-tags-error`} className="field-error">
            {errors.tags}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-due`}>Due date</label>
        <input
          id={`${id}-due`}
          type="date"
          value={values.dueDate}
          aria-invalid={errors.dueDate ? true : undefined}
          onChange={(event) => onChange({ dueDate: event.target.value })}
        />
        {errors.dueDate && <p className="field-error">{errors.dueDate}</p>}
      </div>
    </div>
  );
}
