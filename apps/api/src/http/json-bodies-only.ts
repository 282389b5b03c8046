import { createMiddleware } from "hono/factory";
import { problems } from "./problem";

/** `application/json`, optionally with `charset=utf-8` (JSON is UTF-8: RFC 8259). */
const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/**
 * The API reads bodies as JSON only: any other declared type is a 415, including look-alikes such
 * as `application/merge-patch+json`, `text/json` or `application/json; charset=utf-16`, which a
 * lenient parser would read as something they do not say they are.
 */
export const jsonBodiesOnly = createMiddleware((c, next) => {
  const type = c.req.header("content-type");
  if (type !== undefined && c.req.method !== "GET" && c.req.method !== "HEAD") {
    if (!JSON_TYPE.test(type.trim())) {
      throw problems.unsupportedMediaType(`Send the body as application/json, not ${type}.`);
    }
  }
  return next();
});
