import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { REPLAYED_HEADER } from "./idempotency-key";

/** A first answer as kept for replays: the representation, not the per-request headers. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * The headers that belong to the answer itself. Per-request ones (X-Request-Id, RateLimit, CORS,
 * Cache-Control, Content-Encoding, Vary) are set afresh on the replay by the middleware around it.
 */
const STORED_HEADERS = ["content-type", "etag", "location", "link", "x-total-count"];

export async function snapshot(response: Response): Promise<StoredResponse> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  return { status: response.status, headers, body: await response.clone().text() };
}

/** Drops an answer's own headers: it was rolled back, and the problem that replaces it has none. */
export function forgetAnswer(c: Context) {
  for (const name of STORED_HEADERS) c.header(name, undefined);
}

export function replay(c: Context, stored: StoredResponse): Response {
  const headers = { ...stored.headers, [REPLAYED_HEADER]: "true" };
  // 204 and 304 carry no body; none of the idempotent routes answers either today.
  if (stored.status === 204 || stored.status === 304) return c.body(null, stored.status, headers);
  return c.body(stored.body, stored.status as ContentfulStatusCode, headers);
}
