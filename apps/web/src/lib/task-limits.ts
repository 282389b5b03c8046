/**
 * The API's limits on a task's fields (apps/api/src/db/tasks-schema.ts `TASK_LIMITS`), which the
 * API publishes in /openapi.json; the browser test `limits.e2e.ts` fails when the two differ.
 * Lengths are counted as the server's Zod `.max()` counts them: UTF-16 code units, which is what
 * `String.prototype.length` returns (an emoji such as 👍 counts 2).
 */
export const TASK_LIMITS = { title: 200, description: 1000, tags: 10, tag: 32 } as const;

/** A counter appears once a field holds this share of its limit. */
export const COUNTER_FROM = 0.8;
