import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeJwt, json, makeTask, problem } from "@/test/fake-api";
import { App } from "./app";

const session = {
  session: { id: "s1", userId: "user-1", token: "t", expiresAt: "2099-01-01T00:00:00.000Z" },
  user: { id: "user-1", name: "Ann", email: "ann@example.com", emailVerified: false },
};

function renderApp(
  path: string,
  fetch: (url: string, init?: RequestInit) => Response | Promise<Response>,
) {
  const calls: string[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? "GET"} ${new URL(url, "http://localhost").pathname}`);
    return fetch(url, init);
  });
  window.history.replaceState(null, "", path);
  render(<App />);
  return { calls };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("App", () => {
  it("sends a signed-out visitor to the sign-in screen", async () => {
    renderApp("/", () => json(null));
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/sign-in");
  });

  it("shows the signed-in user's tasks", async () => {
    renderApp("/", (url) => {
      if (url.includes("get-session")) return json(session);
      if (url.includes("/api/auth/token"))
        return json({ token: fakeJwt(Math.floor(Date.now() / 1000) + 3600) });
      return json([makeTask({ title: "From the server" })], 200, { "X-Total-Count": "1" });
    });
    expect(await screen.findByRole("heading", { name: "From the server" })).toBeInTheDocument();
    expect(screen.getByText("Ann")).toBeInTheDocument();
  });

  it("signs out and shows sign-in when the API keeps refusing the token", async () => {
    let sessionValid = true;
    const { calls } = renderApp("/", (url) => {
      if (url.includes("get-session")) return json(sessionValid ? session : null);
      if (url.includes("/api/auth/token"))
        return json({ token: fakeJwt(Math.floor(Date.now() / 1000) + 3600) });
      sessionValid = false;
      return problem(401, "Unauthorized");
    });
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(window.location.pathname).toBe("/sign-in");
    // One retry with a fresh token, then no more task requests.
    expect(calls.filter((call) => call.includes("/tasks"))).toHaveLength(2 * 2); // list + counter, each retried once
    // The session cookie is ended too, so a reload does not sign back in.
    await waitFor(() => expect(calls).toContain("POST /api/auth/sign-out"));
  });

  it("explains a lost connection instead of a blank page", async () => {
    renderApp("/", () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await screen.findByRole("alert", {}, { timeout: 5000 })).toHaveTextContent(
      "Cannot reach the server",
    );
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });

  it("keeps the tasks on screen when re-checking the session fails, with a banner", async () => {
    let offline = false;
    renderApp("/", (url) => {
      if (offline) throw new TypeError("Failed to fetch");
      if (url.includes("get-session")) return json(session);
      if (url.includes("/api/auth/token"))
        return json({ token: fakeJwt(Math.floor(Date.now() / 1000) + 3600) });
      return json([makeTask({ title: "Still here" })], 200, { "X-Total-Count": "1" });
    });
    await screen.findByRole("heading", { name: "Still here" });
    offline = true;
    // The tab becomes visible again: the session is re-read, and that fails.
    vi.spyOn(document, "visibilityState", "get").mockReturnValue("visible");
    document.dispatchEvent(new Event("visibilitychange"));
    expect(
      await screen.findByText(/Could not check your session/, {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Still here" })).toBeInTheDocument();
    expect(screen.getByRole("textbox", { name: "New task title" })).toBeInTheDocument();
  });
});
