import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable, isDataException, isTransactionConflict } from "./database-errors";
import { loggableError } from "./loggable-error";
import { HttpProblem, problems, statusTitle } from "./problem";
import { requestLogger } from "./request-log";

function renderProblem(c: Context, problem: HttpProblem): Response {
  const body = {
    type: "about:blank",
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    request_id: c.get("requestId"),
    ...(problem.options.errors ? { errors: problem.options.errors } : {}),
    // Better Auth's clients read `code` and `message`: both are kept for its answers.
    ...(problem.options.code ? { code: problem.options.code, message: problem.detail } : {}),
  };
  // Headers already on the response (CORS, request id) stay; the problem's own are set over
  // them, except that each Set-Cookie is added (iterating Headers yields each one on its own).
  const headers = new Headers(c.res.headers);
  headers.delete("Content-Length");
  for (const [name, value] of new Headers(problem.options.headers)) {
    if (name === "set-cookie") headers.append(name, value);
    else headers.set(name, value);
  }
  headers.set("Content-Type", "application/problem+json");
  // A handler's own Response (Better Auth's) replaces the one requestId() put its header on.
  const requestId = c.get("requestId");
  if (requestId) headers.set("X-Request-Id", requestId);
  return new Response(JSON.stringify(body), { status: problem.status, headers });
}

/** The one place errors become responses: known problems as they are, anything else a bare 500. */
export const onError: ErrorHandler = (error, c) => {
  if (error instanceof HttpProblem) return renderProblem(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status as ContentfulStatusCode;
    return renderProblem(c, new HttpProblem(status, error.message || statusTitle(status)));
  }
  if (isDatabaseUnavailable(error)) {
    requestLogger(c).warn({ err: loggableError(error) }, "database unavailable");
    return renderProblem(
      c,
      problems.serviceUnavailable("The database is unavailable; retry shortly."),
    );
  }
  if (isTransactionConflict(error)) {
    // Logged as an error: statements should not deadlock, so one that does is a bug to look at.
    requestLogger(c).error({ err: loggableError(error) }, "transaction conflict");
    return renderProblem(
      c,
      problems.serviceUnavailable("The request collided with another one; retry shortly."),
    );
  }
  if (isDataException(error)) {
    requestLogger(c).warn({ err: loggableError(error) }, "input refused by the database");
    return renderProblem(
      c,
      new HttpProblem(422, "The request holds a value the database cannot store or compare."),
    );
  }
  requestLogger(c).error({ err: loggableError(error) }, "unhandled error");
  return renderProblem(c, new HttpProblem(500, "Something went wrong on our side."));
};

export const onNotFound: NotFoundHandler = (c) =>
  renderProblem(c, problems.notFound(`No route for ${c.req.method} ${c.req.path}.`));
