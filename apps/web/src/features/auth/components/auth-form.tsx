import { type FormEvent, useId, useState } from "react";
import { Link } from "@/lib/router";
import { useSessionStore } from "../api/session-context";
import { signIn } from "../api/sign-in";
import { signUp } from "../api/sign-up";
import {
  type AuthFormErrors,
  type AuthFormValues,
  authErrorMessage,
  PASSWORD_MIN_LENGTH,
  validateAuthForm,
} from "../utils/auth-error";

type Mode = "sign-in" | "sign-up";

interface AuthFormProps {
  mode: Mode;
  onSuccess: () => void;
  /** Called as a valid form is sent (the app starts loading the task screen meanwhile). */
  onAttempt?: () => void;
}

export function AuthForm({ mode, onSuccess, onAttempt }: AuthFormProps) {
  const id = useId();
  const session = useSessionStore();
  const [values, setValues] = useState<AuthFormValues>({ name: "", email: "", password: "" });
  const [errors, setErrors] = useState<AuthFormErrors>({});
  const [serverError, setServerError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const isSignUp = mode === "sign-up";

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validateAuthForm(values, mode);
    setErrors(found);
    setServerError(null);
    if (Object.keys(found).length > 0) return;
    onAttempt?.();
    setBusy(true);
    try {
      if (isSignUp) {
        await signUp(session, {
          name: values.name ?? "",
          email: values.email,
          password: values.password,
        });
      } else {
        await signIn(session, { email: values.email, password: values.password });
      }
      setBusy(false);
      onSuccess();
    } catch (error) {
      setBusy(false);
      setServerError(authErrorMessage(error));
    }
  };

  const field = (
    name: keyof AuthFormValues,
    label: string,
    type: string,
    autoComplete: string,
    hint?: string,
  ) => {
    const error = errors[name];
    const describedBy = [hint ? `${id}-${name}-hint` : "", error ? `${id}-${name}-error` : ""]
      .filter(Boolean)
      .join(" ");
    return (
      <div className="field">
        <label htmlFor={`${id}-${name}`}>{label}</label>
        <input
          id={`${id}-${name}`}
          type={type}
          autoComplete={autoComplete}
          value={values[name] ?? ""}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy || undefined}
          onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
        />
        {hint && (
          <p id={`${id}-${name}-hint`} className="field-hint">
            {hint}
          </p>
        )}
        {error && (
          <p id={`${id}-${name}-error`} className="field-error">
            {error}
          </p>
        )}
      </div>
    );
  };

  return (
    <div className="auth card">
      <h1>{isSignUp ? "Create your account" : "Sign in"}</h1>
      <form onSubmit={submit} noValidate>
        {isSignUp && field("name", "Name", "text", "name")}
        {field("email", "Email", "email", "email")}
        {field(
          "password",
          "Password",
          "password",
          isSignUp ? "new-password" : "current-password",
          isSignUp ? `At least ${PASSWORD_MIN_LENGTH} characters` : undefined,
        )}
        {serverError && (
          <p className="form-error" role="alert">
            {serverError}
          </p>
        )}
        <button type="submit" className="button button-primary button-block" disabled={busy}>
          {busy ? "Please wait…" : isSignUp ? "Sign up" : "Sign in"}
        </button>
      </form>
      <p className="auth-switch">
        {isSignUp ? (
          <>
            Already have an account? <Link to="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link to="/sign-up">Create an account</Link>
          </>
        )}
      </p>
    </div>
  );
}
