import type { ProblemDetails } from "./api-types";

/** The server answered with an error status; `problem` holds the parsed problem+json body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | null;
  readonly retryAfterSeconds: number | null;

  constructor(status: number, problem: ProblemDetails | null, retryAfterSeconds: number | null) {
    super(problem?.detail ?? problem?.title ?? `Request failed with status ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** The request never got an answer (offline, server down, DNS…). */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super("Cannot reach the server. Check your connection and try again.", { cause });
    this.name = "NetworkError";
  }
}

/** The session is gone (token refresh refused): the user must sign in again. */
export class UnauthorizedError extends Error {
  constructor() {
    super("Your session has ended. Please sign in again.");
    this.name = "UnauthorizedError";
  }
}

/**
 * The request names another user than the one the token belongs to (a request left over from a
 * previous session). It is never sent.
 */
export class WrongUserError extends Error {
  constructor(pathUser: string, tokenUser: string | null) {
    super(
      `Not sent: the request is for user ${pathUser}, the session is ${tokenUser ?? "unknown"}.`,
    );
    this.name = "WrongUserError";
  }
}

function isProblem(value: unknown): value is ProblemDetails {
  return (
    typeof value === "object" &&
    value !== null &&
    "status" in value &&
    typeof value.status === "number" &&
    "title" in value &&
    typeof value.title === "string"
  );
}

export async function toApiError(response: Response): Promise<ApiError> {
  let problem: ProblemDetails | null = null;
  try {
    const body: unknown = await response.json();
    if (isProblem(body)) problem = body;
  } catch {
    problem = null;
  }
  const retryAfter = Number(response.headers.get("Retry-After"));
  return new ApiError(
    response.status,
    problem,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/** A sentence a person can act on, for any error thrown by the API client. */
export function describeError(error: unknown): string {
  if (error instanceof NetworkError || error instanceof UnauthorizedError) return error.message;
  if (error instanceof ApiError) {
    const first = error.problem?.errors?.[0];
    switch (error.status) {
      case 404:
        return "That task no longer exists.";
      case 412:
        return "This task was changed elsewhere. Reload to see the latest version.";
      case 422:
        if (!first) return error.problem?.detail ?? "Invalid input.";
        return first.path ? `${first.path}: ${first.message}` : first.message;
      case 429:
        return `Too many requests. Try again in ${error.retryAfterSeconds ?? "a few"} seconds.`;
      case 503:
        return "The server is busy. Try again in a moment.";
      default:
        return error.problem?.detail ?? error.problem?.title ?? error.message;
    }
  }
  return error instanceof Error ? error.message : "Something went wrong.";
}
