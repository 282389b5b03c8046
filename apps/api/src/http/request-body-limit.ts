import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../app-env";
import { bodyFraming } from "./body-framing";
import { problems } from "./problem";

/** The largest body /api accepts. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Refuses a body over `maxBytes` with a 413, without touching the body when its framing tells
 * (body-framing.ts). Only a body of unknown size (chunked, or handed to `app.request`) goes
 * through Hono's bodyLimit, which counts it as it arrives; asking for it first on every request
 * cost ~5% of a GET's CPU (docs/decisions/031-cheaper-requests.md).
 */
export function limitRequestBodies(maxBytes: number) {
  const tooLarge = () =>
    problems.payloadTooLarge(`The body is over the ${maxBytes / 1024} KiB limit.`);
  const countStreamedBody = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  // Not async: an async function is one more promise per request, for a check that never waits.
  return createMiddleware<AppEnv>((c, next) => {
    const framing = bodyFraming(c);
    if (framing.kind === "unknown") return countStreamedBody(c, next);
    if (framing.kind === "sized" && framing.bytes > maxBytes) throw tooLarge();
    return next();
  });
}
