import { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env";
import { requireOwner } from "../auth/require-owner";
import type { VerifyToken } from "../auth/verify-jwt";
import { validationHook } from "../http/validation-hook";
import type { CounterStore } from "../rate-limit/counter-store";
import { perUserLimiter } from "../rate-limit/per-user-limiter";
import { announceWrites } from "../sync/announce-writes";
import type { ChangeSignal } from "../sync/change-signal";
import * as handlers from "./tasks.handlers";
import { TASK_NOT_FOUND } from "./tasks.queries";
import * as routes from "./tasks.routes";
import { READ_ONLY_FIELDS } from "./tasks.schemas";
import * as trashHandlers from "./trash.handlers";
import * as trashRoutes from "./trash.routes";

export function taskRoutes(options: {
  verifyToken: VerifyToken;
  rateLimitPerMinute: number;
  /** Where the per-user counts are shared with the other replicas (decision 029). */
  rateLimitStore: CounterStore;
  logger: Logger;
  /** Told of each committed write, for the live streams (decision 047). */
  changes: ChangeSignal;
}) {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: validationHook({
      readOnlyFields: READ_ONLY_FIELDS,
      // A path id that cannot be a task id must look exactly like a missing task.
      notFound: TASK_NOT_FOUND,
    }),
  });
  const guard = requireOwner(options.verifyToken);
  // "/tasks/*" matches "/tasks" too in Hono: one registration covers every task route.
  app.use("/:user_id/tasks/*", guard);
  app.use("/:user_id/trash/*", guard);
  const announce = announceWrites(options.changes);
  app.use("/:user_id/tasks/*", announce);
  app.use("/:user_id/trash/*", announce);

  if (options.rateLimitPerMinute > 0) {
    const limiter = perUserLimiter({
      limitPerMinute: options.rateLimitPerMinute,
      counters: options.rateLimitStore,
      prefix: "tasks:user:",
      name: "task",
      logger: options.logger,
    });
    app.use("/:user_id/tasks/*", limiter);
    app.use("/:user_id/trash/*", limiter);
  }

  // Fixed paths first: "/tasks/completed" must not be read as a task id.
  return app
    .openapi(routes.completeAll, handlers.completeAll)
    .openapi(routes.clearCompleted, handlers.clearCompleted)
    .openapi(routes.list, handlers.list)
    .openapi(routes.create, handlers.create)
    .openapi(routes.getOne, handlers.getOne)
    .openapi(routes.update, handlers.update)
    .openapi(routes.remove, handlers.remove)
    .openapi(routes.complete, handlers.complete)
    .openapi(trashRoutes.restore, trashHandlers.restore)
    .openapi(trashRoutes.history, trashHandlers.history)
    .openapi(trashRoutes.listTrash, trashHandlers.listTrash)
    .openapi(trashRoutes.emptyTrash, trashHandlers.emptyTrash)
    .openapi(trashRoutes.purgeOne, trashHandlers.purgeOne);
}
