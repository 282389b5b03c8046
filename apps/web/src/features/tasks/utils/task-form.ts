import type { CreateTaskInput, Priority } from "@/lib/api-types";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;
export const TAGS_MAX = 10;
export const TAG_MAX_LENGTH = 32;

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

export function validateTaskForm(values: TaskFormValues): TaskFormErrors {
  const errors: TaskFormErrors = {};
  const title = values.title.trim();
  if (!title) errors.title = "Enter a title.";
  else if (title.length > TITLE_MAX)
    errors.title = `Keep the title under ${TITLE_MAX + 1} characters.`;
  if (values.description.trim().length > DESCRIPTION_MAX) {
    errors.description = `Keep the description under ${DESCRIPTION_MAX + 1} characters.`;
  }
  const tags = parseTags(values.tags);
  if (tags.length > TAGS_MAX) errors.tags = `Use at most ${TAGS_MAX} tags.`;
  else if (tags.some((tag) => tag.length > TAG_MAX_LENGTH)) {
    errors.tags = `Each tag can have at most ${TAG_MAX_LENGTH} characters.`;
  }
  if (values.dueDate && !dueDateToIso(values.dueDate)) errors.dueDate = "Enter a valid date.";
  return errors;
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
