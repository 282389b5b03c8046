import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldError {
  path: string;
  message: string;
}

/**
 * An RFC 9457 problem. Thrown anywhere (handlers, middleware, guards) and rendered in one place,
 * `on-error.ts`, as `application/problem+json`; no handler writes an error body itself.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
  }
}

export const problems = {
  badRequest: (detail: string) => new HttpProblem(400, "Bad Request", detail),
  /** `missing`: no credentials at all, which RFC 6750 answers without an error code. */
  unauthorized: (detail: string, options: { missing?: boolean } = {}) =>
    new HttpProblem(401, "Unauthorized", detail, {
      headers: {
        "WWW-Authenticate": options.missing
          ? 'Bearer realm="api"'
          : 'Bearer realm="api", error="invalid_token"',
      },
    }),
  forbidden: (detail: string) => new HttpProblem(403, "Forbidden", detail),
  notFound: (detail: string) => new HttpProblem(404, "Not Found", detail),
  preconditionFailed: (detail: string) => new HttpProblem(412, "Precondition Failed", detail),
  payloadTooLarge: (detail: string) => new HttpProblem(413, "Content Too Large", detail),
  unsupportedMediaType: (detail: string) => new HttpProblem(415, "Unsupported Media Type", detail),
  validation: (errors: FieldError[]) =>
    new HttpProblem(422, "Unprocessable Content", "The request has invalid fields.", { errors }),
  tooManyRequests: (retryAfterSeconds: number) =>
    new HttpProblem(429, "Too Many Requests", "Slow down and retry later.", {
      headers: { "Retry-After": String(retryAfterSeconds) },
    }),
  serviceUnavailable: (detail: string) =>
    new HttpProblem(503, "Service Unavailable", detail, { headers: { "Retry-After": "5" } }),
};

/** Zod-style issues → `{ path, message }`, with paths like `tags.2` or `query.limit`. */
export function toFieldErrors(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix?: string,
): FieldError[] {
  return issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)]
      .filter((part) => part !== undefined && part !== "")
      .join("."),
    message: issue.message,
  }));
}
