import { loggableError } from "./loggable-error";

/** Keys whose values may be or hold a credential or a user's data: never logged. */
const SECRET_KEY =
  /token|secret|password|authorization|cookie|params|session|jwt|key|value|detail/i;
const MAX_DEPTH = 4;

/**
 * A library's log argument (Better Auth's), made safe to write: errors as loggableError() gives
 * them, values under secret-looking keys cut, strings without Drizzle's "params:" tail.
 */
export function loggableValue(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return loggableError(value);
  if (typeof value === "string") return value.replace(/\nparams: [\s\S]*$/, "");
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.map((item) => loggableValue(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? "[redacted]" : loggableValue(item, depth + 1),
    ]),
  );
}
