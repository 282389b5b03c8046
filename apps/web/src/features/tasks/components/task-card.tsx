import {
  type FocusEvent,
  type FormEvent,
  type KeyboardEvent,
  useId,
  useRef,
  useState,
} from "react";
import { TaskHistory } from "@/features/history/components/task-history";
import type { Task, UpdateTaskInput } from "@/lib/api-types";
import { TASK_LIMITS } from "@/lib/task-limits";
import {
  isOverdue,
  isoToDueDate,
  type TaskFormErrors,
  type TaskFormValues,
  titleLength,
  toTaskInput,
  validateTaskForm,
} from "../utils/task-form";
import { CharacterCounter, describedBy } from "./character-counter";
import { TaskFields } from "./task-fields";

interface TaskCardProps {
  task: Task;
  onToggle: (task: Task) => void;
  onSave: (task: Task, input: UpdateTaskInput) => void;
  onDelete: (task: Task) => void;
  /** Told when the edit form opens and closes (the list keeps an open form mounted). */
  onEditingChange?: (task: Task, editing: boolean) => void;
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  month: "short",
  day: "numeric",
  year: "numeric",
});

function formValuesOf(task: Task): TaskFormValues {
  return {
    title: task.title,
    description: task.description ?? "",
    priority: task.priority,
    tags: task.tags.join(", "),
    dueDate: isoToDueDate(task.due_date),
  };
}

/** Only the fields that changed, so a PUT never rewrites what the user did not touch. */
function changedFields(task: Task, values: TaskFormValues): UpdateTaskInput {
  const next = toTaskInput(values);
  const change: UpdateTaskInput = {};
  if (next.title !== task.title) change.title = next.title;
  if ((next.description ?? null) !== task.description)
    change.description = next.description ?? null;
  if (next.priority !== task.priority) change.priority = next.priority;
  if (JSON.stringify(next.tags) !== JSON.stringify(task.tags)) change.tags = next.tags ?? [];
  if (values.dueDate !== isoToDueDate(task.due_date)) change.due_date = next.due_date ?? null;
  return change;
}

export function TaskCard({ task, onToggle, onSave, onDelete, onEditingChange }: TaskCardProps) {
  const id = useId();
  const [editing, setEditingState] = useState(false);
  const setEditing = (next: boolean) => {
    setEditingState(next);
    onEditingChange?.(task, next);
  };
  const [values, setValues] = useState<TaskFormValues>(() => formValuesOf(task));
  const [errors, setErrors] = useState<TaskFormErrors>({});
  const editButton = useRef<HTMLButtonElement>(null);
  // Added offline (a temporary id): it can be changed already, but has no history yet.
  const notOnServerYet = task.id < 0;

  const startEditing = () => {
    setValues(formValuesOf(task));
    setErrors({});
    setEditing(true);
  };

  const stopEditing = () => {
    setEditing(false);
    requestAnimationFrame(() => editButton.current?.focus());
  };

  const save = (fromBlur: boolean) => {
    const found = validateTaskForm(values);
    if (Object.keys(found).length > 0) {
      // Even when focus leaves, an invalid edit stays open with its message rather than vanish.
      setErrors(found);
      return;
    }
    const change = changedFields(task, values);
    if (Object.keys(change).length > 0) onSave(task, change);
    if (fromBlur) setEditing(false);
    else stopEditing();
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    save(false);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      stopEditing();
    }
  };

  const onBlur = (event: FocusEvent<HTMLFormElement>) => {
    const next = event.relatedTarget;
    if (next instanceof Node && event.currentTarget.contains(next)) return;
    save(true);
  };

  const overdue = isOverdue(task);
  const titleId = `${id}-title`;

  if (editing) {
    return (
      <form
        className="task-card card editing"
        onSubmit={onSubmit}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
        noValidate
        aria-label={`Edit “${task.title}”`}
      >
        <label htmlFor={`${id}-edit-title`} className="visually-hidden">
          Title
        </label>
        <input
          id={`${id}-edit-title`}
          className="task-edit-title"
          value={values.title}
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field
          autoFocus
          aria-invalid={errors.title ? true : undefined}
          aria-describedby={describedBy(`${id}-count`, errors.title && `${id}-error`)}
          onChange={(event) => setValues((current) => ({ ...current, title: event.target.value }))}
        />
        <CharacterCounter id={`${id}-count`} length={titleLength(values)} max={TASK_LIMITS.title} />
        {errors.title && (
          <p id={`${id}-error`} className="field-error" role="alert">
            {errors.title}
          </p>
        )}
        <TaskFields
          values={values}
          errors={errors}
          onChange={(patch) => setValues((current) => ({ ...current, ...patch }))}
        />
        <div className="task-actions">
          <button type="submit" className="button button-primary">
            Save
          </button>
          <button type="button" className="button" onClick={stopEditing}>
            Cancel
          </button>
        </div>
      </form>
    );
  }

  return (
    <article
      className={`task-card card priority-${task.priority}${task.completed ? " completed" : ""}`}
      aria-labelledby={titleId}
      data-task-id={task.id}
      tabIndex={-1}
    >
      <input
        type="checkbox"
        className="task-check"
        checked={task.completed}
        aria-label={`Done: “${task.title}”`}
        onChange={() => onToggle(task)}
      />
      <div className="task-body">
        <h3 id={titleId} className="task-title" onDoubleClick={startEditing}>
          {task.title}
        </h3>
        {task.description && <p className="task-description">{task.description}</p>}
        <ul className="task-meta" aria-label="Details">
          <li className={`badge badge-${task.priority}`}>{task.priority} priority</li>
          {task.due_date && (
            <li className={`badge${overdue ? " badge-overdue" : ""}`}>
              {overdue ? "Overdue: " : "Due "}
              <time dateTime={task.due_date}>{dateFormat.format(new Date(task.due_date))}</time>
            </li>
          )}
          {task.tags.map((tag) => (
            <li key={tag} className="tag">
              #{tag}
            </li>
          ))}
        </ul>
      </div>
      <div className="task-actions">
        <button
          ref={editButton}
          type="button"
          className="button button-small"
          onClick={startEditing}
          aria-label={`Edit “${task.title}”`}
        >
          Edit
        </button>
        <button
          type="button"
          className="button button-small button-danger"
          onClick={() => onDelete(task)}
          aria-label={`Delete “${task.title}”`}
        >
          Delete
        </button>
      </div>
      {!notOnServerYet && <TaskHistory userId={task.user_id} taskId={task.id} />}
    </article>
  );
}
