import { z } from "@hono/zod-openapi";
import { MAX_INTEGER, TASK_LIMITS, taskPriorities } from "../db/tasks-schema";

/** Fields the server owns: sending one is a 422 that says so, not a silent drop. */
export const READ_ONLY_FIELDS = new Set([
  "id",
  "user_id",
  "created_at",
  "updated_at",
  "completed_at",
  "version",
]);

export const TASK_SORTS = ["created", "updated", "title", "due_date", "priority"] as const;

const isoDateTime = z.iso.datetime({ offset: true, message: "must be an ISO 8601 date-time" });

/** Dates a todo can sensibly have, and that every Postgres and JS date handles alike. */
const dueDateTime = isoDateTime.refine((value) => {
  const year = new Date(value).getUTCFullYear();
  return year >= 1900 && year <= 9999;
}, "must be between the years 1900 and 9999");

/** Postgres text cannot hold NUL; refuse it here instead of failing in the database. */
const text = () =>
  z
    .string()
    .refine((value) => !value.includes("\u0000"), "must not contain NUL characters")
    .refine((value) => value.isWellFormed(), "must be valid Unicode (no lone surrogates)");

const title = text()
  .trim()
  .min(1, "must not be empty")
  .max(TASK_LIMITS.title, `must be at most ${TASK_LIMITS.title} characters`);
const description = text()
  .max(TASK_LIMITS.description, `must be at most ${TASK_LIMITS.description} characters`)
  .nullable();
const priority = z.enum(taskPriorities);
const tag = text()
  .trim()
  .min(1, "must not be empty")
  .max(TASK_LIMITS.tag, `must be at most ${TASK_LIMITS.tag} characters`);
const tags = z
  .array(tag)
  .max(TASK_LIMITS.tags, `must have at most ${TASK_LIMITS.tags} tags`)
  .refine((list) => new Set(list).size === list.length, "must not repeat a tag");
const dueDate = dueDateTime.nullable();

export const TaskSchema = z
  .object({
    id: z.number().int().openapi({ example: 42 }),
    user_id: z.string(),
    title: z.string().openapi({ example: "Buy milk" }),
    description: z.string().nullable(),
    completed: z.boolean(),
    completed_at: z.string().nullable().openapi({ format: "date-time" }),
    priority,
    tags: z.array(z.string()).openapi({ example: ["home"] }),
    due_date: z.string().nullable().openapi({ format: "date-time" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
    version: z
      .number()
      .int()
      .openapi({
        example: 3,
        description:
          'Bumped by every write (the ETag is `"<id>-<version>"`): a client holding this version ' +
          "of the task can skip a change event that carries it.",
      }),
  })
  .openapi("Task");

export const TaskCreateSchema = z
  .strictObject({
    title,
    description: description.optional(),
    priority: priority.optional(),
    tags: tags.optional(),
    due_date: dueDate.optional(),
    completed: z.boolean().optional(),
  })
  .openapi("TaskCreate");

export const TaskUpdateSchema = TaskCreateSchema.partial()
  .refine((body) => Object.keys(body).length > 0, {
    message: "send at least one field to change",
    // Only when nothing else is wrong: `{ "colour": … }` is an unknown field, not an empty body.
    when: (payload) => payload.issues.length === 0,
  })
  .openapi("TaskUpdate");

export const TaskCompleteSchema = z
  .strictObject({ completed: z.boolean().optional() })
  .openapi("TaskComplete");

export const CompleteAllSchema = z
  .strictObject({ completed: z.boolean().default(true) })
  .openapi("CompleteAll");

export const ListQuerySchema = z.strictObject({
  status: z.enum(["all", "pending", "completed"]).default("all"),
  q: text().trim().min(1).max(200).optional().openapi({
    description:
      "Case-insensitive substring of the title or the description; %, _ and \\ are literal",
  }),
  priority: priority.optional(),
  tag: tag.optional(),
  due_before: dueDateTime
    .optional()
    .openapi({ description: "Only tasks due strictly before this instant" }),
  due_after: dueDateTime
    .optional()
    .openapi({ description: "Only tasks due strictly after this instant" }),
  sort: z.enum(TASK_SORTS).default("created"),
  order: z.enum(["asc", "desc"]).default("desc"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: 'Opaque; from the `Link: rel="next"` header' }),
});

export const UserParamsSchema = z.object({
  user_id: z.string().openapi({ param: { name: "user_id", in: "path" } }),
});

/** Ids are positive 32-bit integers; anything else cannot name a task, so it is a 404. */
export const TaskParamsSchema = UserParamsSchema.extend({
  id: z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/)
    .transform(Number)
    .refine((id) => id <= MAX_INTEGER)
    .openapi({ param: { name: "id", in: "path" }, type: "integer", example: "42" }),
});

export const UpdatedCountSchema = z.object({ updated: z.number().int() }).openapi("UpdatedCount");
export const DeletedCountSchema = z.object({ deleted: z.number().int() }).openapi("DeletedCount");

export type TaskCreate = z.infer<typeof TaskCreateSchema>;
export type TaskUpdate = z.infer<typeof TaskUpdateSchema>;
export type ListQuery = z.infer<typeof ListQuerySchema>;
export type Task = z.infer<typeof TaskSchema>;
