import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { problems } from "../http/problem";

/** The fields through which a Better Auth client names where to go next. */
const URL_FIELDS = ["callbackURL", "newUserCallbackURL", "errorCallbackURL", "redirectTo"];

/** Visible ASCII only: a URL with other characters must come percent-encoded. */
const SENDABLE = /^[\x21-\x7e]*$/;

function unsendable(source: Record<string, unknown>, prefix: string) {
  return URL_FIELDS.filter((field) => {
    const value = source[field];
    return typeof value === "string" && !SENDABLE.test(value);
  }).map((field) => ({
    path: `${prefix}${field}`,
    message: "must be a URL in visible ASCII (percent-encode other characters)",
  }));
}

/**
 * Better Auth echoes a callback URL in the `Location` header of its answer. A character that a
 * header cannot hold (beyond Latin-1, e.g. "/🙂") made that a TypeError after the password had
 * been checked and the session created: a 500. Such a URL is refused before Better Auth sees it
 * (422, like our other invalid fields).
 */
export const refuseUnsendableCallbackUrls = createMiddleware<AppEnv>(async (c, next) => {
  const errors = unsendable(Object.fromEntries(new URL(c.req.url).searchParams), "query.");
  const request = c.req.raw;
  if (request.body && /json/i.test(request.headers.get("content-type") ?? "")) {
    const body: unknown = await request
      .clone()
      .json()
      .catch(() => undefined);
    if (typeof body === "object" && body !== null && !Array.isArray(body)) {
      errors.push(...unsendable(body as Record<string, unknown>, ""));
    }
  }
  if (errors.length > 0) throw problems.validation(errors);
  await next();
});
