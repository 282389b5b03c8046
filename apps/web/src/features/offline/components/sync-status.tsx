import { useEffect } from "react";
import { useToast } from "@/components/ui/toast";
import { describeError } from "@/lib/api-errors";
import type { OfflineEvent } from "@/lib/outbox/offline-writes";
import { useOfflineState, useOfflineWrites } from "@/lib/outbox/offline-writes-context";

const FIELD_NAMES: Record<string, string> = {
  title: "title",
  description: "description",
  priority: "priority",
  tags: "tags",
  due_date: "due date",
  completed: "completion",
};

const changes = (count: number) => `${count} ${count === 1 ? "change" : "changes"}`;

/** The events the user is told about: a queued write the server did not take as it was. */
type NoticeEvent = Exclude<OfflineEvent, { type: "created" }>;

export function describeOfflineEvent(event: NoticeEvent): string {
  if (event.type === "conflict") {
    const fields = event.fields.map((field) => FIELD_NAMES[field] ?? field).join(", ");
    return `“${event.task.title}” was also changed elsewhere: its ${fields} kept the other change.`;
  }
  const what =
    event.write.kind === "create" ? `“${event.write.input.title}” not added` : "A change not saved";
  return `${what}: ${describeError(event.error)}`;
}

/**
 * Shows when the app is offline and how many changes wait to be sent, and tells the user about
 * conflicts and refusals met while sending them (decision 038).
 */
export function SyncStatus() {
  const writes = useOfflineWrites();
  const { online, waiting } = useOfflineState();
  const toast = useToast();

  useEffect(
    () =>
      writes.onEvent((event) => {
        if (event.type === "created") return;
        toast.show(describeOfflineEvent(event), {
          tone: event.type === "refused" ? "error" : "info",
        });
      }),
    [writes, toast],
  );

  if (online && waiting === 0) return null;
  return (
    <p className="sync-status" role="status">
      {online
        ? `Sending ${changes(waiting)}…`
        : waiting > 0
          ? `You are offline. ${changes(waiting)} will be sent when you reconnect.`
          : "You are offline. Changes you make are kept and sent when you reconnect."}
    </p>
  );
}
