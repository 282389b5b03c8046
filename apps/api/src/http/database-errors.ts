const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

// SQLSTATE: 08xxx connection exceptions, 57P01-57P03 shutdown / cannot connect now,
// 53300 too many connections, 57014 statement cancelled by a timeout.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53300|57014)$/;

const UNAVAILABLE_MESSAGE =
  /timeout exceeded when trying to connect|Connection terminated|Query read timeout|connect ECONNREFUSED|Client has encountered a connection error|Cannot use a pool after calling end|PGlite is closed/i;

/** An error and its causes (Drizzle wraps driver errors), a few levels deep. */
function* causes(error: unknown): Generator<Error> {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    yield current;
    current = current.cause;
  }
}

/** The driver's error code (a Node errno name or a SQLSTATE), if it has one. */
const codeOf = (error: Error) => {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
};

/**
 * True when an error means "the database cannot be reached right now" (the request becomes a 503
 * with Retry-After), as opposed to a bug. Drizzle wraps driver errors, so the cause chain is walked.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (const current of causes(error)) {
    const code = codeOf(current);
    if (code && (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
    if (UNAVAILABLE_MESSAGE.test(current.message)) return true;
    if (current instanceof AggregateError && current.errors.some(isDatabaseUnavailable)) {
      return true;
    }
  }
  return false;
}

/**
 * SQLSTATE class 22 (data exception): a value the database refused to read or store. Inputs are
 * validated before they reach SQL, so this is a safety net that keeps such a request a 4xx.
 */
export function isDataException(error: unknown): boolean {
  for (const current of causes(error)) {
    if (/^22[0-9A-Z]{3}$/.test(codeOf(current) ?? "")) return true;
  }
  return false;
}

/**
 * SQLSTATE 40001 (serialization failure) and 40P01 (deadlock detected), of class 40 (transaction
 * rollback): the statement lost a race with another and was rolled back; the same request may
 * succeed at once.
 * Statements that lock several rows take them in one order (counter-store.ts), so this is a
 * safety net: a 503 with Retry-After rather than a 500 (decision 049).
 */
export function isTransactionConflict(error: unknown): boolean {
  for (const current of causes(error)) {
    if (/^40(001|P01)$/.test(codeOf(current) ?? "")) return true;
  }
  return false;
}
