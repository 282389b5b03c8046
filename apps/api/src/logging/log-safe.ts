/**
 * What may be logged of an error or of a library's log arguments. Query parameters are values
 * the user or the client sent: session tokens (Better Auth looks sessions up by token), passwords'
 * hashes, task titles. Drizzle puts them in the message and the stack of every failed query
 * ("Failed query: … params: …"), and pg errors repeat values in `detail`. So an error is logged as
 * its name, code, message and stack with the parameters cut, and its causes the same way; any
 * other value is kept only as far as it cannot carry a secret.
 */

const SECRET_KEY =
  /token|secret|password|authorization|cookie|params|session|jwt|key|value|detail/i;
const MAX_DEPTH = 4;

export interface LoggedError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: LoggedError;
}

/** Drizzle's failed-query text ends its message with "\nparams: …"; cut from there. */
function withoutParams(text: string): string {
  const at = text.indexOf("\nparams:");
  return at === -1 ? text : text.slice(0, at);
}

export function safeError(error: Error, depth = 0): LoggedError {
  const message = withoutParams(error.message);
  const code = (error as { code?: unknown }).code;
  // The stack repeats the message (with its parameters) before the frames.
  const frames = error.stack?.split("\n").filter((line) => /^\s+at /.test(line));
  return {
    type: error.name,
    message,
    ...(typeof code === "string" ? { code } : {}),
    ...(frames?.length ? { stack: [`${error.name}: ${message}`, ...frames].join("\n") } : {}),
    ...(error.cause instanceof Error && depth < MAX_DEPTH
      ? { cause: safeError(error.cause, depth + 1) }
      : {}),
  };
}

/** A library's log argument, made safe: errors as above, secrets and values named like them cut. */
export function safeLogValue(value: unknown, depth = 0): unknown {
  if (value instanceof Error) return safeError(value);
  if (value === null || typeof value !== "object") {
    return typeof value === "string" ? withoutParams(value) : value;
  }
  if (depth >= MAX_DEPTH) return "[nested]";
  if (Array.isArray(value)) return value.map((item) => safeLogValue(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [
      key,
      SECRET_KEY.test(key) ? "[redacted]" : safeLogValue(item, depth + 1),
    ]),
  );
}
