import type { CreateTaskInput, Priority } from "@/lib/api-types";
import { TASK_LIMITS } from "@/lib/task-limits";

/** What the task form fields hold (all strings, as typed). */
export interface TaskFormValues {
  title: string;
  description: string;
  priority: Priority;
  tags: string;
  /** `YYYY-MM-DD` from <input type="date">, or "". */
  dueDate: string;
}

export type TaskFormErrors = Partial<Record<keyof TaskFormValues, string>>;

export const emptyTaskForm: TaskFormValues = {
  title: "",
  description: "",
  priority: "medium",
  tags: "",
  dueDate: "",
};

/** Splits "home, work,home" into distinct trimmed tags: ["home", "work"]. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(",")
    .map((tag) => tag.trim())
    .filter((tag) => tag.length > 0);
  return [...new Set(tags)];
}

/** A due date is the end of that day in the user's time zone, sent as UTC ISO 8601. */
export function dueDateToIso(date: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const value = new Date(`${date}T23:59:59`);
  return Number.isNaN(value.getTime()) ? null : value.toISOString();
}

export function isoToDueDate(iso: string | null): string {
  if (!iso) return "";
  const value = new Date(iso);
  if (Number.isNaN(value.getTime())) return "";
  const month = String(value.getMonth() + 1).padStart(2, "0");
  const day = String(value.getDate()).padStart(2, "0");
  return `${value.getFullYear()}-${month}-${day}`;
}

/** The lengths the server will count (after trimming), for the counters next to the fields. */
export function titleLength(values: TaskFormValues): number {
  return values.title.trim().length;
}
export function descriptionLength(values: TaskFormValues): number {
  return values.description.trim().length;
}

/** Nothing is cut while typing: over-long text stays in the field and is refused here. */
export function validateTaskForm(values: TaskFormValues): TaskFormErrors {
  const errors: TaskFormErrors = {};
  const title = titleLength(values);
  if (title === 0) errors.title = "Enter a title.";
  else if (title > TASK_LIMITS.title) errors.title = tooLong("title", title, TASK_LIMITS.title);
  const description = descriptionLength(values);
  if (description > TASK_LIMITS.description) {
    errors.description = tooLong("description", description, TASK_LIMITS.description);
  }
  const tags = parseTags(values.tags);
  const longTag = tags.find((tag) => tag.length > TASK_LIMITS.tag);
  if (tags.length > TASK_LIMITS.tags) {
    errors.tags = `Use at most ${TASK_LIMITS.tags} tags (there are ${tags.length}).`;
  } else if (longTag !== undefined) {
    errors.tags = `Each tag can have at most ${TASK_LIMITS.tag} characters: “${longTag.slice(0, 12)}…” has ${longTag.length}.`;
  }
  if (values.dueDate && !dueDateToIso(values.dueDate)) errors.dueDate = "Enter a valid date.";
  return errors;
}

function tooLong(field: string, length: number, max: number): string {
  const over = length - max;
  return `Keep the ${field} to ${max} characters: it has ${length}, ${over} too many.`;
}

/** The request body for valid form values. */
export function toTaskInput(values: TaskFormValues): CreateTaskInput {
  const description = values.description.trim();
  return {
    title: values.title.trim(),
    description: description ? description : null,
    priority: values.priority,
    tags: parseTags(values.tags),
    due_date: values.dueDate ? dueDateToIso(values.dueDate) : null,
  };
}

export function isOverdue(
  task: { due_date: string | null; completed: boolean },
  now = Date.now(),
): boolean {
  if (!task.due_date || task.completed) return false;
  return new Date(task.due_date).getTime() < now;
}
