import { createAuthClient } from "better-auth/react";

/** Better Auth's client, same origin (Vite proxies `/api` in development). */
export const authClient = createAuthClient({
  baseURL: typeof window === "undefined" ? "http://localhost" : window.location.origin,
  // Look fetch up at call time (better-fetch would capture it once), so tests can stub it.
  fetchOptions: { customFetchImpl: (input, init) => globalThis.fetch(input, init) },
});
