import { HttpProblem } from "../http/problem";

// The Idempotency-Key header as Stripe defines it (docs/decisions/037-idempotency-keys.md).

export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";

/** 1 to 255 printable ASCII characters (space to tilde): what Stripe accepts, and UUIDs fit. */
export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** How long a key is remembered, per user, from the request that ran with it. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

const invalidKey = () =>
  new HttpProblem(422, "The request has invalid fields.", {
    errors: [
      {
        path: "header.idempotency-key",
        message: "must be 1 to 255 printable ASCII characters",
      },
    ],
  });

/** The header's value, or undefined when absent; a malformed key is a 422 problem. */
export function idempotencyKeyOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) throw invalidKey();
  return value;
}

export const keyReusedProblem = () =>
  new HttpProblem(
    422,
    "This Idempotency-Key was first used with another request (method, path or body): use a new key for a new request.",
  );

/** The first request with this key is still running (here or on another replica). */
export const keyInUseProblem = () =>
  new HttpProblem(
    409,
    "A request with this Idempotency-Key is still being processed: retry shortly to get its answer.",
    { headers: { "Retry-After": "1" } },
  );
