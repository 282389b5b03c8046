import { createRoute, z } from "@hono/zod-openapi";
import { emptyBodyIsNoBody } from "../http/empty-body";
import { ProblemSchema } from "../http/problem-schema";
import {
  idempotencyAnswers,
  idempotencyKeyParameter,
  replayedHeader,
} from "../idempotency/idempotency-openapi";
import { idempotent } from "../idempotency/idempotent";
import {
  CompleteAllSchema,
  DeletedCountSchema,
  ListQuerySchema,
  TaskCompleteSchema,
  TaskCreateSchema,
  TaskParamsSchema,
  TaskSchema,
  TaskUpdateSchema,
  UpdatedCountSchema,
  UserParamsSchema,
} from "./tasks.schemas";

export const tags = ["Tasks"];
export const security = [{ bearerAuth: [] }];

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const body = <T extends z.ZodType>(schema: T, required: boolean) => ({
  content: { "application/json": { schema } },
  required,
});
export const problem = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});
export const text = { type: "string" } as const;
export const etag = { ETag: { schema: text, description: "Current version, for If-Match" } };
// The conditional headers are documented, not validated: any value is acceptable (one naming no
// version of the task fails with 412), and Hono's header validator would first copy every request
// header into an object, about 4% of a GET one's CPU (decision 050). Handlers read them by name.
export const ifMatchParameter = {
  in: "header" as const,
  name: "If-Match",
  required: false,
  schema: text,
  description: "Write only if the task still has this ETag",
};
const ifNoneMatchParameter = {
  in: "header" as const,
  name: "If-None-Match",
  required: false,
  schema: text,
  description: "Answer 304, without a body, if the task still has this ETag",
};

export const guarded = {
  401: problem("Missing, malformed, forged or expired token"),
  403: problem("The token belongs to another user"),
  422: problem("Invalid query or body"),
  429: problem("Rate limit exceeded (see Retry-After)"),
  503: problem("Database unavailable (see Retry-After)"),
};
const withBody = {
  400: problem("Unparseable JSON"),
  413: problem("Body over 64 KiB"),
  415: problem("Body is not JSON"),
};
const missing = { 404: problem("No such task for this user") };
export const stale = { 412: problem("If-Match does not match the current ETag") };
const changedTask = {
  200: { ...json(TaskSchema, "The updated task"), headers: etag },
  ...guarded,
  ...withBody,
  ...missing,
  ...stale,
};

export const list = createRoute({
  method: "get",
  path: "/{user_id}/tasks",
  tags,
  security,
  summary: "List tasks (filters, sorting, keyset paging)",
  request: { params: UserParamsSchema, query: ListQuerySchema },
  responses: {
    200: {
      ...json(z.array(TaskSchema), "One page of tasks"),
      headers: {
        "X-Total-Count": {
          schema: { type: "string", pattern: "^[0-9]+\\+?$", example: "100+" },
          description:
            "Tasks matching the filters. Exact for `status` alone. With other filters, exact up " +
            "to 100 and `100+` beyond; for a `q` without three letters or digits in a row, a " +
            "lower bound such as `3+` for a user with more than 1,000 tasks.",
        },
        Link: {
          schema: text,
          description:
            'The next page: `<url>; rel="next"`. Follow it until it is absent: for a `q` ' +
            "without three letters or digits in a row, a page may hold fewer tasks than `limit` " +
            "(even none) and still have a next page.",
        },
      },
    },
    ...guarded,
  },
});

export const create = createRoute({
  middleware: [idempotent] as const,
  method: "post",
  path: "/{user_id}/tasks",
  tags,
  security,
  summary: "Create a task",
  parameters: [idempotencyKeyParameter],
  request: { params: UserParamsSchema, body: body(TaskCreateSchema, true) },
  responses: {
    201: {
      ...json(TaskSchema, "Created"),
      headers: { ...etag, Location: { schema: text }, ...replayedHeader },
    },
    ...guarded,
    ...withBody,
    ...idempotencyAnswers,
  },
});

export const completeAll = createRoute({
  middleware: [emptyBodyIsNoBody, idempotent] as const,
  method: "post",
  path: "/{user_id}/tasks/complete-all",
  tags,
  security,
  summary: "Mark every task complete (or, with completed=false, pending)",
  parameters: [idempotencyKeyParameter],
  request: { params: UserParamsSchema, body: body(CompleteAllSchema, false) },
  responses: {
    200: { ...json(UpdatedCountSchema, "How many tasks changed"), headers: replayedHeader },
    ...guarded,
    ...withBody,
    ...idempotencyAnswers,
  },
});

export const clearCompleted = createRoute({
  middleware: [idempotent] as const,
  method: "delete",
  path: "/{user_id}/tasks/completed",
  tags,
  security,
  summary: "Move every completed task to the trash",
  parameters: [idempotencyKeyParameter],
  request: { params: UserParamsSchema },
  responses: {
    200: {
      ...json(DeletedCountSchema, "How many tasks were moved to the trash"),
      headers: replayedHeader,
    },
    ...guarded,
    ...idempotencyAnswers,
  },
});

export const getOne = createRoute({
  method: "get",
  path: "/{user_id}/tasks/{id}",
  tags,
  security,
  summary: "Read a task",
  parameters: [ifNoneMatchParameter],
  request: { params: TaskParamsSchema },
  responses: {
    200: { ...json(TaskSchema, "The task"), headers: etag },
    304: { description: "Not modified (If-None-Match)" },
    ...guarded,
    ...missing,
  },
});

export const update = createRoute({
  method: "put",
  path: "/{user_id}/tasks/{id}",
  tags,
  security,
  summary: "Change any non-empty subset of a task's writable fields",
  parameters: [ifMatchParameter],
  request: { params: TaskParamsSchema, body: body(TaskUpdateSchema, true) },
  responses: changedTask,
});

export const remove = createRoute({
  method: "delete",
  path: "/{user_id}/tasks/{id}",
  tags,
  security,
  summary: "Move a task to the trash (restore it with POST …/restore)",
  parameters: [ifMatchParameter],
  request: { params: TaskParamsSchema },
  responses: { 204: { description: "Moved to the trash" }, ...guarded, ...missing, ...stale },
});

export const complete = createRoute({
  middleware: [emptyBodyIsNoBody] as const,
  method: "patch",
  path: "/{user_id}/tasks/{id}/complete",
  tags,
  security,
  summary: "Toggle completion (no body) or set it ({ completed })",
  parameters: [ifMatchParameter],
  request: { params: TaskParamsSchema, body: body(TaskCompleteSchema, false) },
  responses: changedTask,
});
