import { createRoute, z } from "@hono/zod-openapi";
import { ProblemSchema } from "../http/problem-schema";
import { UserParamsSchema } from "../tasks/tasks.schemas";
import {
  ChangePageSchema,
  ChangesQuerySchema,
  EventsHeadersSchema,
  EventsQuerySchema,
} from "./sync.schemas";

const tags = ["Changes"];
const security = [{ bearerAuth: [] }];

const problem = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

const guarded = {
  401: problem("Missing, malformed, forged or expired token"),
  403: problem("The token belongs to another user"),
  422: problem("Invalid query or header"),
  503: problem("Database unavailable (see Retry-After)"),
};
const gone = {
  410: problem(
    "The events after that seq are no longer kept (SYNC_RETENTION_DAYS) or were never this database's: reload the tasks and start again from GET /changes without `since`",
  ),
};

export const changes = createRoute({
  method: "get",
  path: "/{user_id}/changes",
  tags,
  security,
  summary: "The changes to the user's tasks after a seq, oldest first",
  request: { params: UserParamsSchema, query: ChangesQuerySchema },
  responses: {
    200: {
      content: { "application/json": { schema: ChangePageSchema } },
      description: "One page of events",
    },
    ...guarded,
    ...gone,
    429: problem("Rate limit exceeded (see Retry-After)"),
  },
});

const EVENT_STREAM_FORMAT = `Server-Sent Events. Each change is
\`\`\`
id: <seq>
event: task
data: <TaskEvent JSON>
\`\`\`
A \`: heartbeat\` comment comes every 20 s. The stream ends when the token expires (or its session
ends), when the server shuts down, or when the client falls so far behind that the log no longer
holds its next event; reconnect with \`Last-Event-ID\` (a new token first when it expired).`;

export const events = createRoute({
  method: "get",
  path: "/{user_id}/events",
  tags,
  security,
  summary: "Live stream of the changes to the user's tasks (text/event-stream)",
  description:
    "Read it with fetch (EventSource cannot send the Authorization header). Not compressed, and not bound by the 5 s request deadline.",
  request: { params: UserParamsSchema, query: EventsQuerySchema, headers: EventsHeadersSchema },
  responses: {
    200: {
      content: {
        "text/event-stream": {
          schema: z.string().openapi({ description: EVENT_STREAM_FORMAT }),
        },
      },
      description: "The stream; the events after `Last-Event-ID` or `since` come first",
    },
    ...guarded,
    ...gone,
    429: problem(
      "Rate limit exceeded, or 10 streams of this user already open on this server (see Retry-After)",
    ),
  },
});
