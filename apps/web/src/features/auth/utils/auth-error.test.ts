import { describe, expect, it } from "vitest";
import { NetworkError } from "@/lib/api-errors";
import { AuthError, authErrorMessage, validateAuthForm } from "./auth-error";

describe("auth messages", () => {
  it("explains each refusal in plain words", () => {
    expect(authErrorMessage(new AuthError(401, "INVALID_EMAIL_OR_PASSWORD", "Invalid"))).toBe(
      "Wrong email or password.",
    );
    expect(
      authErrorMessage(new AuthError(422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "x")),
    ).toMatch(/already exists/);
    expect(authErrorMessage(new AuthError(400, "PASSWORD_TOO_SHORT", "x"))).toMatch(/at least 8/);
    expect(authErrorMessage(new NetworkError(new TypeError("Failed to fetch")))).toMatch(
      /Cannot reach the server/,
    );
  });
  it("checks the form before sending it", () => {
    expect(validateAuthForm({ name: "", email: "bad", password: "short" }, "sign-up")).toEqual({
      name: "Enter your name.",
      email: "Enter a valid email address.",
      password: "Use at least 8 characters.",
    });
    expect(validateAuthForm({ email: "a@b.co", password: "x" }, "sign-in")).toEqual({});
    expect(validateAuthForm({ email: "a@b.co", password: "" }, "sign-in").password).toBe(
      "Enter your password.",
    );
  });
});
