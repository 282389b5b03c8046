import { type FormEvent, useId, useState } from "react";
import type { CreateTaskInput } from "@/lib/api-types";
import { TASK_LIMITS } from "@/lib/task-limits";
import { nextTemporaryId, useCreateTask } from "../api/create-task";
import {
  emptyTaskForm,
  isoToDueDate,
  type TaskFormErrors,
  type TaskFormValues,
  titleLength,
  toTaskInput,
  validateTaskForm,
} from "../utils/task-form";
import { CharacterCounter, describedBy } from "./character-counter";
import { TaskFields } from "./task-fields";

function refusedValues(input: CreateTaskInput): TaskFormValues {
  return {
    ...emptyTaskForm,
    title: input.title,
    description: input.description ?? "",
    priority: input.priority ?? emptyTaskForm.priority,
    tags: (input.tags ?? []).join(", "),
    dueDate: isoToDueDate(input.due_date ?? null),
  };
}

export function AddTaskForm({ userId }: { userId: string }) {
  const id = useId();
  const [values, setValues] = useState<TaskFormValues>(emptyTaskForm);
  // A refused task's text comes back, unless something new was typed meanwhile.
  const createTask = useCreateTask(userId, {
    onRefused: (input) =>
      setValues((current) => (current.title === "" ? refusedValues(input) : current)),
  });
  const [errors, setErrors] = useState<TaskFormErrors>({});
  const [showMore, setShowMore] = useState(false);

  const change = (patch: Partial<TaskFormValues>) => {
    setValues((current) => ({ ...current, ...patch }));
    setErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(patch)) delete next[key as keyof TaskFormValues];
      return next;
    });
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // Hidden options are never applied: collapsing "More options" means "use the defaults".
    const submitted = showMore ? values : { ...emptyTaskForm, title: values.title };
    const found = validateTaskForm(submitted);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      if (Object.keys(found).some((key) => key !== "title")) setShowMore(true);
      return;
    }
    // Cleared at once for the next task; given back if the server refuses it (see useCreateTask).
    createTask.mutate({ input: toTaskInput(submitted), localId: nextTemporaryId() });
    setValues(emptyTaskForm);
  };

  return (
    <form className="add-task card" onSubmit={submit} noValidate aria-label="Add a task">
      <div className="add-task-row">
        <label htmlFor={`${id}-title`} className="visually-hidden">
          New task title
        </label>
        <input
          id={`${id}-title`}
          className="add-task-title"
          value={values.title}
          placeholder="What needs to be done?"
          autoComplete="off"
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={describedBy(`${id}-title-count`, errors.title && `${id}-title-error`)}
          onChange={(event) => change({ title: event.target.value })}
        />
        <button type="submit" className="button button-primary">
          Add
        </button>
        <button
          type="button"
          className="button"
          aria-expanded={showMore}
          aria-controls={`${id}-more`}
          onClick={() => setShowMore((open) => !open)}
        >
          {showMore ? "Fewer options" : "More options"}
        </button>
      </div>
      <CharacterCounter
        id={`${id}-title-count`}
        length={titleLength(values)}
        max={TASK_LIMITS.title}
      />
      {errors.title && (
        <p id={`${id}-title-error`} className="field-error" role="alert">
          {errors.title}
        </p>
      )}
      <div id={`${id}-more`} hidden={!showMore}>
        {showMore && <TaskFields values={values} errors={errors} onChange={change} />}
      </div>
    </form>
  );
}
