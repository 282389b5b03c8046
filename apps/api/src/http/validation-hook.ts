import type { Hook } from "@hono/zod-openapi";
import type { z } from "zod";
import type { AppEnv } from "../app-env";
import { type FieldError, problems, toFieldErrors } from "./problem";

function fieldErrors(
  error: z.ZodError,
  prefix: string | undefined,
  readOnly: ReadonlySet<string>,
): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (issue.code !== "unrecognized_keys") return toFieldErrors([issue], prefix);
    // One entry per unknown key, and a plain word for the fields only the server may set.
    return issue.keys.map((key) => ({
      path: [prefix, ...issue.path.map(String), key].filter(Boolean).join("."),
      message: readOnly.has(key) ? "is read-only: the server sets it" : "is not a known field",
    }));
  });
}

/**
 * Failed request validation → 422 problem with every field error. A path parameter that fails
 * (a task id that is not a positive integer) names no task, so it is a 404 like any other.
 */
export function validationHook(
  options: { readOnlyFields?: ReadonlySet<string>; notFound?: string } = {},
): Hook<unknown, AppEnv, string, unknown> {
  const readOnly = options.readOnlyFields ?? new Set<string>();
  return (result) => {
    if (result.success) return;
    if (result.target === "param") throw problems.notFound(options.notFound ?? "Not found.");
    const prefix = result.target === "json" ? undefined : result.target;
    throw problems.validation(fieldErrors(result.error, prefix, readOnly));
  };
}
