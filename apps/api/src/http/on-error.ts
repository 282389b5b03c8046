import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isDatabaseUnavailable, isDataException } from "./database-errors";
import { loggableError } from "./loggable-error";
import { HttpProblem, problems, statusTitle } from "./problem";

function renderProblem(c: Context, problem: HttpProblem): Response {
  const body = {
    type: "about:blank",
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    request_id: c.get("requestId"),
    ...(problem.options.errors ? { errors: problem.options.errors } : {}),
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      ...Object.fromEntries(c.res.headers),
      ...problem.options.headers,
      "Content-Type": "application/problem+json",
    },
  });
}

/** The one place errors become responses: known problems as they are, anything else a bare 500. */
export const onError: ErrorHandler = (error, c) => {
  if (error instanceof HttpProblem) return renderProblem(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    const status = error.status as ContentfulStatusCode;
    return renderProblem(c, new HttpProblem(status, error.message || statusTitle(status)));
  }
  if (isDatabaseUnavailable(error)) {
    c.var.logger?.warn({ err: loggableError(error) }, "database unavailable");
    return renderProblem(
      c,
      problems.serviceUnavailable("The database is unavailable; retry shortly."),
    );
  }
  if (isDataException(error)) {
    c.var.logger?.warn({ err: loggableError(error) }, "input refused by the database");
    return renderProblem(
      c,
      new HttpProblem(422, "The request holds a value the database cannot store or compare."),
    );
  }
  c.var.logger?.error({ err: loggableError(error) }, "unhandled error");
  return renderProblem(c, new HttpProblem(500, "Something went wrong on our side."));
};

export const onNotFound: NotFoundHandler = (c) =>
  renderProblem(c, problems.notFound(`No route for ${c.req.method} ${c.req.path}.`));
