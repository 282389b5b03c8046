import { useState } from "react";
import { describeError } from "@/lib/api-errors";
import { type HistoryEntry, type HistoryValue, useTaskHistory } from "../api/get-history";

const whenFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

const FIELD_NAMES: Record<string, string> = {
  title: "title",
  description: "description",
  priority: "priority",
  tags: "tags",
  due_date: "due date",
  completed: "done",
  completed_at: "completed at",
  deleted_at: "deleted at",
};

const TIME_FIELDS = new Set(["due_date", "completed_at", "deleted_at"]);

function show(field: string, value: HistoryValue): string {
  if (value === null || value === "") return "none";
  if (Array.isArray(value))
    return value.length === 0 ? "none" : value.map((t) => `#${t}`).join(" ");
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (TIME_FIELDS.has(field)) return whenFormat.format(new Date(value));
  return `“${value}”`;
}

const OP_TEXT: Record<HistoryEntry["op"], string> = {
  create: "Created",
  update: "Changed",
  delete: "Moved to the trash",
  restore: "Restored",
  purge: "Deleted for good",
};

function describe(entry: HistoryEntry): string[] {
  if (entry.op === "create") {
    return entry.changes
      .filter((c) => c.after !== null && !(Array.isArray(c.after) && c.after.length === 0))
      .map((c) => `${FIELD_NAMES[c.field] ?? c.field}: ${show(c.field, c.after)}`);
  }
  if (entry.op !== "update") return [];
  return entry.changes
    .filter((c) => c.field !== "completed_at")
    .map(
      (c) =>
        `${FIELD_NAMES[c.field] ?? c.field}: ${show(c.field, c.before)} → ${show(c.field, c.after)}`,
    );
}

/** A "History" disclosure: the task's changes, read from the server when opened. */
export function TaskHistory({ userId, taskId }: { userId: string; taskId: number }) {
  const [open, setOpen] = useState(false);
  const history = useTaskHistory(userId, taskId, open);
  return (
    <details className="task-history" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>History</summary>
      {!open ? null : history.isPending ? (
        <p className="muted" role="status">
          Loading history…
        </p>
      ) : history.isError ? (
        <p role="alert">Could not load the history: {describeError(history.error)}</p>
      ) : (
        <ol className="history-list" aria-label="Changes, oldest first">
          {history.data.map((entry) => (
            <li key={entry.seq}>
              <time dateTime={entry.at}>{whenFormat.format(new Date(entry.at))}</time>{" "}
              <strong>{OP_TEXT[entry.op]}</strong>
              {describe(entry).length > 0 && (
                <ul>
                  {describe(entry).map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
