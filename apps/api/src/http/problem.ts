import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

export interface FieldError {
  path: string;
  message: string;
}

/** The title of each status we answer with (RFC 9110 reason phrases). */
const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const statusTitle = (status: number) => TITLES[status] ?? "Request Error";

export interface ProblemOptions {
  errors?: FieldError[];
  headers?: ConstructorParameters<typeof Headers>[0];
  /** A machine-readable reason, e.g. Better Auth's error code (`INVALID_EMAIL_OR_PASSWORD`). */
  code?: string;
}

/**
 * An RFC 9457 problem. Thrown anywhere (handlers, middleware, guards) and rendered in one place,
 * `on-error.ts`, as `application/problem+json`; no handler writes an error body itself. It is a
 * Hono HTTPException, so that Hono's middleware that takes one (such as `timeout`) can throw it.
 */
export class HttpProblem extends HTTPException {
  readonly title: string;
  readonly detail: string;
  readonly options: ProblemOptions;

  constructor(status: ContentfulStatusCode, detail: string, options: ProblemOptions = {}) {
    super(status, { message: detail });
    this.name = "HttpProblem";
    this.title = statusTitle(status);
    this.detail = detail;
    this.options = options;
  }
}

export const problems = {
  badRequest: (detail: string) => new HttpProblem(400, detail),
  /** `missing`: no credentials at all, which RFC 6750 answers without an error code. */
  unauthorized: (detail: string, options: { missing?: boolean } = {}) =>
    new HttpProblem(401, detail, {
      headers: {
        "WWW-Authenticate": options.missing
          ? 'Bearer realm="api"'
          : 'Bearer realm="api", error="invalid_token"',
      },
    }),
  forbidden: (detail: string) => new HttpProblem(403, detail),
  notFound: (detail: string) => new HttpProblem(404, detail),
  preconditionFailed: (detail: string) => new HttpProblem(412, detail),
  payloadTooLarge: (detail: string) => new HttpProblem(413, detail),
  unsupportedMediaType: (detail: string) => new HttpProblem(415, detail),
  validation: (errors: FieldError[]) =>
    new HttpProblem(422, "The request has invalid fields.", { errors }),
  tooManyRequests: (retryAfterSeconds: number) =>
    new HttpProblem(429, "Slow down and retry later.", {
      headers: { "Retry-After": String(retryAfterSeconds) },
    }),
  serviceUnavailable: (detail: string) =>
    new HttpProblem(503, detail, { headers: { "Retry-After": "5" } }),
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
