import { z } from "@hono/zod-openapi";
import { taskEventOps } from "../db/sync-schema";
import { TaskSchema } from "./tasks.schemas";

export const TrashedTaskSchema = TaskSchema.extend({
  deleted_at: z.string().openapi({
    format: "date-time",
    description: "When it was moved to the trash; purged TRASH_RETENTION_DAYS later",
  }),
}).openapi("TrashedTask");

export const TrashQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'Opaque; from the `Link: rel="next"` header' }),
});

export const PurgedCountSchema = z.object({ purged: z.number().int() }).openapi("PurgedCount");

const FieldValueSchema = z
  .union([z.string(), z.boolean(), z.array(z.string()), z.null()])
  .openapi({ description: "As in task JSON: times are ISO 8601 UTC" });

export const HistorySchema = z
  .object({
    entries: z.array(
      z.object({
        seq: z.number().int().openapi({ description: "The change's number in the user's log" }),
        at: z.string().openapi({ format: "date-time" }),
        op: z.enum(taskEventOps).openapi({
          description:
            "create, update, delete (moved to the trash), restore, purge (deleted for good)",
        }),
        changes: z
          .array(
            z.object({
              field: z.string().openapi({ example: "due_date" }),
              before: FieldValueSchema,
              after: FieldValueSchema,
            }),
          )
          .openapi({
            description:
              "The fields that changed. A create lists the first values of title, description, " +
              "priority, tags, due_date and completed (before: null); a purge lists none.",
          }),
      }),
    ),
  })
  .openapi("TaskHistory");

export type TrashQuery = z.infer<typeof TrashQuerySchema>;
