import { ProblemSchema } from "../http/problem-schema";
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_TTL_HOURS,
  REPLAYED_HEADER,
} from "./idempotency-key";
import { CLAIM_LEASE_SECONDS } from "./idempotency-records";

// How an idempotent route describes itself in /openapi.json. A route takes all three:
//   middleware: [idempotent], parameters: [idempotencyKeyParameter],
//   responses: { 2xx: { …, headers: { …, ...replayedHeader } }, …, ...idempotencyAnswers }

const problem = (description: string) => ({
  content: { "application/problem+json": { schema: ProblemSchema } },
  description,
});

export const idempotencyKeyParameter = {
  in: "header" as const,
  name: IDEMPOTENCY_KEY_HEADER,
  required: false,
  schema: { type: "string" as const, minLength: 1, maxLength: 255, pattern: "^[\\x20-\\x7e]+$" },
  description:
    `A key of your choosing (a UUID, say) that makes a retry safe, kept ${IDEMPOTENCY_KEY_TTL_HOURS} h ` +
    "per user. A retry with the same key, method, path and body changes nothing and gets the " +
    `first answer again (status, body, ETag, Location) with \`${REPLAYED_HEADER}: true\`. ` +
    "Answers 5xx are not kept: the retry runs again. 409 while the first request still runs; " +
    "422 when the key was used with another request.",
};

export const replayedHeader = {
  [REPLAYED_HEADER]: {
    schema: { type: "string" as const, enum: ["true"] },
    description: `Present on a replayed answer to a retried ${IDEMPOTENCY_KEY_HEADER}`,
  },
};

export const idempotencyAnswers = {
  409: {
    ...problem(
      `The first request with this ${IDEMPOTENCY_KEY_HEADER} is still running (see Retry-After); ` +
        `a request lost by a crashed server frees its key within ${CLAIM_LEASE_SECONDS} s`,
    ),
    headers: { "Retry-After": { schema: { type: "string" as const } } },
  },
  422: problem(
    `Invalid query, body or ${IDEMPOTENCY_KEY_HEADER}, or the key was first used with another ` +
      "method, path or body",
  ),
};
