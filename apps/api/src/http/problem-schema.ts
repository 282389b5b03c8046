import { z } from "@hono/zod-openapi";

/** The problem+json body (RFC 9457) as the OpenAPI document describes it; see problem.ts. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    request_id: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    code: z.string().optional().openapi({ description: "Better Auth's error code, on /api/auth" }),
    message: z.string().optional().openapi({ description: "The same as detail, on /api/auth" }),
  })
  .openapi("Problem");
