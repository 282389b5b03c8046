import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import type { DatabaseHandle } from "../db/client";
import { isSchemaCurrent } from "../db/migrate";
import { withTimeout } from "../db/with-timeout";
import { problems } from "../http/problem";
import { ProblemSchema } from "../http/problem-schema";

const READY_TIMEOUT_MS = 2_000;

const health = createRoute({
  method: "get",
  path: "/health",
  tags: ["Health"],
  summary: "Liveness: the process is up",
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ status: z.literal("ok") }) } },
      description: "Up",
    },
  },
});

const ready = createRoute({
  method: "get",
  path: "/ready",
  tags: ["Health"],
  summary: "Readiness: the database answers and has every migration",
  responses: {
    200: {
      content: { "application/json": { schema: z.object({ status: z.literal("ready") }) } },
      description: "Ready",
    },
    503: {
      content: { "application/problem+json": { schema: ProblemSchema } },
      description: "Not ready",
    },
  },
});

export function healthRoutes(options: { database: DatabaseHandle; latestMigration: number }) {
  return new OpenAPIHono<AppEnv>()
    .openapi(health, (c) => c.json({ status: "ok" as const }, 200))
    .openapi(ready, async (c) => {
      const current = await withTimeout(
        isSchemaCurrent(options.database, options.latestMigration),
        READY_TIMEOUT_MS,
      ).catch(() => "unreachable" as const);
      if (current === true) return c.json({ status: "ready" as const }, 200);
      throw problems.serviceUnavailable(
        current === false
          ? "Database migrations are not applied yet."
          : "The database is unreachable.",
      );
    });
}
