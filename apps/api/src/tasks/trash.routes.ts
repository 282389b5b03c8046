import { createRoute, z } from "@hono/zod-openapi";
import {
  idempotencyAnswers,
  idempotencyKeyParameter,
  replayedHeader,
} from "../idempotency/idempotency-openapi";
import { idempotent } from "../idempotency/idempotent";
import {
  etag,
  guarded,
  ifMatchParameter,
  json,
  problem,
  security,
  stale,
  text,
} from "./tasks.routes";
import { TaskParamsSchema, TaskSchema, UserParamsSchema } from "./tasks.schemas";
import {
  HistorySchema,
  PurgedCountSchema,
  TrashedTaskSchema,
  TrashQuerySchema,
} from "./trash.schemas";

// The trash and a task's history (decision 039). DELETE /tasks/{id} and DELETE /tasks/completed
// (tasks.routes.ts) move tasks here; these routes list, restore and purge them.

const tags = ["Trash and history"];

export const listTrash = createRoute({
  method: "get",
  path: "/{user_id}/trash",
  tags,
  security,
  summary: "List the tasks in the trash, newest deleted first (keyset paging)",
  request: { params: UserParamsSchema, query: TrashQuerySchema },
  responses: {
    200: {
      ...json(z.array(TrashedTaskSchema), "One page of the trash"),
      headers: {
        Link: { schema: text, description: 'The next page: `<url>; rel="next"`, until absent' },
      },
    },
    ...guarded,
  },
});

export const restore = createRoute({
  middleware: [idempotent] as const,
  method: "post",
  path: "/{user_id}/tasks/{id}/restore",
  tags,
  security,
  summary: "Bring a task back from the trash",
  description:
    "A task that is already live is answered unchanged with 200 (a restore is idempotent), " +
    "whatever If-Match says: the change it guards is in place.",
  parameters: [idempotencyKeyParameter, ifMatchParameter],
  request: { params: TaskParamsSchema },
  responses: {
    200: {
      ...json(TaskSchema, "The restored (or already live) task"),
      headers: { ...etag, ...replayedHeader },
    },
    ...guarded,
    404: problem("No such task for this user, live or in the trash"),
    ...stale,
    ...idempotencyAnswers,
  },
});

export const purgeOne = createRoute({
  method: "delete",
  path: "/{user_id}/trash/{id}",
  tags,
  security,
  summary: "Delete a task in the trash for good",
  request: { params: TaskParamsSchema },
  responses: {
    204: { description: "Deleted for good" },
    ...guarded,
    404: problem("No such task in this user's trash (a live task is not in the trash)"),
  },
});

export const emptyTrash = createRoute({
  middleware: [idempotent] as const,
  method: "delete",
  path: "/{user_id}/trash",
  tags,
  security,
  summary: "Empty the trash: delete every task in it for good",
  parameters: [idempotencyKeyParameter],
  request: { params: UserParamsSchema },
  responses: {
    200: {
      ...json(PurgedCountSchema, "How many tasks were deleted for good"),
      headers: replayedHeader,
    },
    ...guarded,
    ...idempotencyAnswers,
  },
});

export const history = createRoute({
  method: "get",
  path: "/{user_id}/tasks/{id}/history",
  tags,
  security,
  summary: "What changed in a task, and when (its last 100 changes, oldest first)",
  description:
    "Readable for a task in the trash, and after a purge, until the change log is pruned " +
    "(SYNC_RETENTION_DAYS).",
  request: { params: TaskParamsSchema },
  responses: {
    200: json(HistorySchema, "The task's changes"),
    ...guarded,
    404: problem("This user never had this task"),
  },
});
