import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json } from "@/test/fake-api";
import { SessionProvider } from "../api/session-context";
import { createSessionStore } from "../api/session-store";
import { AuthForm } from "./auth-form";

function renderForm(mode: "sign-in" | "sign-up", fetch: typeof globalThis.fetch) {
  vi.stubGlobal("fetch", fetch);
  const onSuccess = vi.fn();
  render(
    <SessionProvider store={createSessionStore({ retryDelayMs: 0 })}>
      <AuthForm mode={mode} onSuccess={onSuccess} />
    </SessionProvider>,
  );
  return { onSuccess, user: userEvent.setup() };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("AuthForm", () => {
  it("says 'Wrong email or password' when sign-in is refused", async () => {
    const { user, onSuccess } = renderForm("sign-in", async () =>
      json({ code: "INVALID_EMAIL_OR_PASSWORD", message: "Invalid email or password" }, 401),
    );
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong-password");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong email or password.");
    expect(onSuccess).not.toHaveBeenCalled();
  });

  it("says the email is taken when sign-up finds an account", async () => {
    const { user } = renderForm("sign-up", async () =>
      json({ code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", message: "User already exists" }, 422),
    );
    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "long-enough-1");
    await user.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "An account with this email already exists",
    );
  });

  it("refuses a weak password before sending anything", async () => {
    const fetch = vi.fn(async () => json({}));
    const { user } = renderForm("sign-up", fetch);
    await user.type(screen.getByLabelText("Name"), "Ann");
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "short");
    await user.click(screen.getByRole("button", { name: "Sign up" }));
    expect(await screen.findByText("Use at least 8 characters.")).toBeInTheDocument();
    expect(fetch).not.toHaveBeenCalled();
  });

  it("explains a lost connection", async () => {
    const { user } = renderForm("sign-in", async () => {
      throw new TypeError("Failed to fetch");
    });
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "whatever-123");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Cannot reach the server");
  });

  it("calls onSuccess after signing in", async () => {
    const { user, onSuccess } = renderForm("sign-in", async () =>
      json({ token: "t", user: { id: "u1", email: "ann@example.com", name: "Ann" } }),
    );
    await user.type(screen.getByLabelText("Email"), "ann@example.com");
    await user.type(screen.getByLabelText("Password"), "long-enough-1");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await vi.waitFor(() => expect(onSuccess).toHaveBeenCalled());
  });
});
