import { z } from "@hono/zod-openapi";
import { taskEventOps } from "../db/sync-schema";
import { TaskSchema } from "../tasks/tasks.schemas";

/** A position in a user's change log; 0 is before the first event. */
const seq = z.number().int().min(0);

/** A seq as it arrives in a query string or a Last-Event-ID header. */
const seqText = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,14})$/, "must be a whole number (an event's seq)")
  .transform(Number);

/** The task after the change, as the task routes answer it, plus where it stands with the trash. */
export const EventTaskSchema = TaskSchema.extend({
  deleted_at: z.string().nullable().openapi({ format: "date-time" }),
}).openapi("EventTask");

export const TaskEventSchema = z
  .object({
    seq: seq.openapi({ example: 17 }),
    task_id: z.number().int(),
    op: z.enum(taskEventOps).openapi({
      description:
        "create; update; delete (moved to the trash); restore (out of the trash); purge (gone for good, task is null)",
    }),
    version: z.number().int().openapi({ description: "The task's version after this change" }),
    task: z.union([EventTaskSchema, z.null()]),
    changed: z.array(z.string()).openapi({
      description: "Fields whose value changed (never version or updated_at); empty for a create",
      example: ["title", "priority"],
    }),
    at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("TaskEvent");

export const ChangePageSchema = z
  .object({
    events: z.array(TaskEventSchema),
    next: seq.openapi({ description: "Pass as `since` for the following page" }),
    more: z.boolean().openapi({ description: "Whether events after `next` exist already" }),
  })
  .openapi("ChangePage");

export const MAX_CHANGE_PAGE = 1000;

export const ChangesQuerySchema = z.strictObject({
  since: seqText.optional().openapi({
    type: "integer",
    description:
      "The last seq the client has. Omitted: no events, and `next` is the current seq (a bookmark to take before loading the lists).",
  }),
  limit: z.coerce.number().int().min(1).max(MAX_CHANGE_PAGE).default(100),
});

export const EventsQuerySchema = z.strictObject({
  since: seqText.optional().openapi({
    type: "integer",
    description:
      "Resume after this seq (Last-Event-ID wins when both are sent). Omitted: from now.",
  }),
});

export const EventsHeadersSchema = z.object({
  "last-event-id": seqText.optional().openapi({
    type: "integer",
    description: "The `id:` of the last event received: the stream resumes after it",
  }),
});

export type TaskEventJson = z.infer<typeof TaskEventSchema>;
export type ChangePage = z.infer<typeof ChangePageSchema>;
