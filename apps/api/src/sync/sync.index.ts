import { OpenAPIHono } from "@hono/zod-openapi";
import type { Logger } from "pino";
import type { AppEnv } from "../app-env";
import { requireOwner } from "../auth/require-owner";
import type { VerifyToken } from "../auth/verify-jwt";
import type { DatabaseHandle } from "../db/client";
import { validationHook } from "../http/validation-hook";
import type { CounterStore } from "../rate-limit/counter-store";
import { perUserLimiter } from "../rate-limit/per-user-limiter";
import { createChangeHub } from "./change-hub";
import { changeListener } from "./change-listener";
import { changePage } from "./change-page";
import type { ChangeSignal } from "./change-signal";
import { openEventStream } from "./event-stream";
import { streamSlots } from "./stream-slots";
import * as routes from "./sync.routes";

/** GET /changes and GET /events (decision 036): owner-guarded and rate-limited like the task routes. */
export function syncRoutes(options: {
  database: DatabaseHandle;
  verifyToken: VerifyToken;
  notify: boolean;
  /** This process's writes (decision 047). */
  changes: ChangeSignal;
  /** How often the hub polls (default POLL_INTERVAL_MS); tests lengthen it. */
  pollIntervalMs?: number;
  rateLimitPerMinute: number;
  rateLimitStore: CounterStore;
  logger: Logger;
  draining: AbortSignal;
}) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook() });
  const others = changeListener(options.database, {
    notify: options.notify,
    ownOrigin: options.changes.origin,
    logger: options.logger,
  });
  const hub = createChangeHub({
    db: options.database.db,
    listeners: others ? [options.changes, others] : [options.changes],
    logger: options.logger,
    pollIntervalMs: options.pollIntervalMs,
  });
  options.draining.addEventListener("abort", () => hub.stop(), { once: true });
  const slots = streamSlots();

  const guard = requireOwner(options.verifyToken);
  app.use("/:user_id/changes", guard);
  app.use("/:user_id/events", guard);
  if (options.rateLimitPerMinute > 0) {
    // A budget of its own: a reconnecting stream must not eat the budget of the user's writes.
    const limiter = perUserLimiter({
      limitPerMinute: options.rateLimitPerMinute,
      counters: options.rateLimitStore,
      prefix: "sync:user:",
      name: "sync",
      logger: options.logger,
    });
    app.use("/:user_id/changes", limiter);
    app.use("/:user_id/events", limiter);
  }

  return app
    .openapi(routes.changes, async (c) => {
      const { since, limit } = c.req.valid("query");
      return c.json(await changePage(c.var.db, c.var.userId, since, limit), 200);
    })
    .openapi(routes.events, (c) => {
      const since = c.req.valid("header")["last-event-id"] ?? c.req.valid("query").since;
      return openEventStream(c, since, {
        hub,
        slots,
        verifyToken: options.verifyToken,
        draining: options.draining,
      });
    });
}
