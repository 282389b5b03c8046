/** What of an error may be written to the log. */
export interface LoggableError {
  type: string;
  message: string;
  code?: string;
  stack?: string;
  cause?: LoggableError;
}

/**
 * Drizzle puts a failed query's parameters in its message ("Failed query: …\nparams: …"), and
 * they hold session tokens, emails and task text: cut them off.
 */
const withoutParams = (text: string) => text.replace(/\nparams: [\s\S]*$/, "");

/**
 * An error (and its causes, a few deep) as type, code, message and stack, without the query
 * parameters that a database error carries in its message, its stack and its own properties.
 */
export function loggableError(error: unknown, depth = 0): LoggableError {
  if (!(error instanceof Error)) return { type: typeof error, message: "a thrown non-error value" };
  const code = (error as { code?: unknown }).code;
  const message = withoutParams(error.message);
  // V8 writes "<name>: <message>" and then the frames; keep the frames, never the old message.
  const head = `${error.name}: ${error.message}`;
  const frames = error.stack?.startsWith(head) ? error.stack.slice(head.length) : undefined;
  return {
    // Drizzle's and pg's error classes keep the name "Error"; their class says more.
    type: error.name === "Error" ? error.constructor.name : error.name,
    message,
    ...(typeof code === "string" ? { code } : {}),
    ...(frames ? { stack: `${error.name}: ${message}${frames}` } : {}),
    ...(error.cause !== undefined && depth < 4
      ? { cause: loggableError(error.cause, depth + 1) }
      : {}),
  };
}
