import { describe, expect, it } from "vitest";
import { loggableError } from "../../src/http/loggable-error";

/** Drizzle's wrapper around a driver error, as drizzle-orm builds it. */
class DrizzleQueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    cause: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params}`, { cause });
    this.name = "DrizzleQueryError";
  }
}

describe("loggableError", () => {
  const secret = "session-token-abc123";
  const cause = Object.assign(new Error("Query read timeout"), { code: "ETIMEDOUT" });
  const error = new DrizzleQueryError(
    'select * from "session" where "token" = $1',
    [secret, "line one\n    at not-a-frame (x.js:1:1)\nline three"],
    cause,
  );

  it("keeps type, message, code, frames and causes, and drops the query's parameters", () => {
    const logged = loggableError(error);
    const text = JSON.stringify(logged);
    expect(text).not.toContain(secret);
    expect(text).not.toContain("not-a-frame");
    expect(logged).toMatchObject({
      type: "DrizzleQueryError",
      message: 'Failed query: select * from "session" where "token" = $1',
      cause: { type: "Error", message: "Query read timeout", code: "ETIMEDOUT" },
    });
    expect(logged.stack).toMatch(/^DrizzleQueryError: Failed query: .*\n\s+at /);
  });

  it("describes a thrown value that is not an Error without printing it", () => {
    expect(JSON.stringify(loggableError(secret))).not.toContain(secret);
  });
});
