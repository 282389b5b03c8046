import { NetworkError } from "@/lib/api-errors";

/** A refusal from Better Auth (`code` and `message` with a 4xx or 5xx status). */
export class AuthError extends Error {
  readonly code: string | undefined;
  readonly status: number;

  constructor(status: number, code: string | undefined, message: string | undefined) {
    super(message ?? `Request failed with status ${status}`);
    this.name = "AuthError";
    this.status = status;
    this.code = code;
  }
}

/** The message a person sees for a failed sign-in or sign-up. */
export function authErrorMessage(error: unknown): string {
  if (error instanceof NetworkError) return error.message;
  if (error instanceof AuthError) {
    switch (error.code) {
      case "INVALID_EMAIL_OR_PASSWORD":
        return "Wrong email or password.";
      case "USER_ALREADY_EXISTS":
      case "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL":
        return "An account with this email already exists. Sign in instead.";
      case "PASSWORD_TOO_SHORT":
        return "Password is too short: use at least 8 characters.";
      case "PASSWORD_TOO_LONG":
        return "Password is too long.";
      case "INVALID_EMAIL":
        return "Enter a valid email address.";
      default:
        if (error.status === 429) return "Too many attempts. Wait a minute and try again.";
        if (error.status >= 500) return "The server had a problem. Try again in a moment.";
        return error.message;
    }
  }
  return "Something went wrong. Try again.";
}

export const PASSWORD_MIN_LENGTH = 8;

export interface AuthFormValues {
  name?: string;
  email: string;
  password: string;
}

export type AuthFormErrors = Partial<Record<keyof AuthFormValues, string>>;

/** Client-side checks before the server sees the form; empty object = valid. */
export function validateAuthForm(
  values: AuthFormValues,
  mode: "sign-in" | "sign-up",
): AuthFormErrors {
  const errors: AuthFormErrors = {};
  if (mode === "sign-up" && !values.name?.trim()) errors.name = "Enter your name.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(values.email.trim())) {
    errors.email = "Enter a valid email address.";
  }
  if (mode === "sign-up" && values.password.length < PASSWORD_MIN_LENGTH) {
    errors.password = `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  } else if (!values.password) {
    errors.password = "Enter your password.";
  }
  return errors;
}
