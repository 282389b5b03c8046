import { APIError } from "better-auth/api";

/** The longest name a user may have, in characters (code points). */
export const MAX_NAME_LENGTH = 100;

/**
 * A user's name is shown to them (and kept in their tokens' session): bounded, not blank, and text
 * every client can render and every database can store (no lone surrogates, no NUL). Checked when
 * the user row is written, so sign-up and later profile updates both pass here.
 */
export function assertValidUserName(name: unknown): void {
  if (typeof name !== "string") return;
  const problem =
    name.trim() === ""
      ? "must not be blank"
      : [...name].length > MAX_NAME_LENGTH
        ? `must be at most ${MAX_NAME_LENGTH} characters`
        : !name.isWellFormed() || name.includes("\u0000")
          ? "must be valid Unicode text"
          : undefined;
  if (problem) {
    throw new APIError("UNPROCESSABLE_ENTITY", {
      code: "INVALID_NAME",
      message: `The name ${problem}.`,
    });
  }
}
