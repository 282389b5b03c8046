import { expect } from "vitest";
import type { JsonResponse } from "./test-server";

/** The fields of a task as the API returns it (the parts these tests read). */
export interface TaskJson {
  id: number;
  user_id: string;
  title: string;
  description: string | null;
  completed: boolean;
  completed_at: string | null;
  priority: "low" | "medium" | "high";
  tags: string[];
  due_date: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * Things that must never reach a client: stack frames, source paths, SQL, driver and ORM messages.
 * Checked against every string in an error body (a 500 included).
 */
const LEAKS: RegExp[] = [
  /\n\s*at\s/,
  /\bat\s+\S+\s+\(.*:\d+:\d+\)/,
  /\bat\s+(file|node):/,
  /\.(ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /\bselect\s/i,
  /\binsert\s/i,
  /\bupdate\s+"?tasks/i,
  /\bdelete\s+from/i,
  /\bwhere\s+"?\w+"?\s*=/i,
  /Failed query/i,
  /drizzle/i,
  /pglite/i,
  /\bpool\b/i,
  /ECONN|ETIMEDOUT|ENOTFOUND/,
  /SQLSTATE|syntax error|violates|relation "|invalid input (syntax|value)|duplicate key/i,
  /TypeError|ReferenceError|RangeError|SyntaxError/,
];

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

/** No stack trace, SQL text or driver message anywhere in the body. */
export function expectNoLeak(response: JsonResponse): void {
  for (const text of stringsIn(response.body)) {
    for (const pattern of LEAKS) {
      expect(text, `response body leaks ${pattern}: ${text}`).not.toMatch(pattern);
    }
  }
}

/**
 * An RFC 9457 problem with this status: the content type, `status` equal to the HTTP status, the
 * string members, a request id (the same as the X-Request-Id header), and nothing leaked.
 */
export function expectProblem(response: JsonResponse, status: number): void {
  expect(response.status, `body: ${JSON.stringify(response.body)}`).toBe(status);
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  expect(response.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    request_id: expect.any(String),
  });
  expect(response.body.title.length).toBeGreaterThan(0);
  expect(response.body.request_id.length).toBeGreaterThan(0);
  expect(response.headers.get("x-request-id")).toBe(response.body.request_id);
  expectNoLeak(response);
}

/** The parts of a problem response a client can see, minus what differs per request. */
export function problemShape(response: JsonResponse) {
  const { request_id: _requestId, ...body } = response.body ?? {};
  const headers = [...response.headers.entries()]
    .filter(([name]) => name !== "x-request-id")
    .sort(([a], [b]) => a.localeCompare(b));
  return { status: response.status, body: JSON.stringify(body), headers };
}

/** The `errors` of a 422, as `path → messages`. */
export function fieldErrors(response: JsonResponse): Record<string, string[]> {
  expectProblem(response, 422);
  expect(Array.isArray(response.body.errors)).toBe(true);
  const byPath: Record<string, string[]> = {};
  for (const error of response.body.errors as { path: string; message: string }[]) {
    expect(typeof error.path).toBe("string");
    expect(typeof error.message).toBe("string");
    expect(error.message.length).toBeGreaterThan(0);
    byPath[error.path] = [...(byPath[error.path] ?? []), error.message];
  }
  return byPath;
}
