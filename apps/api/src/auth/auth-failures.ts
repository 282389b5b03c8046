import { AsyncLocalStorage } from "node:async_hooks";
import { isDatabaseUnavailable } from "../http/database-errors";

/**
 * Better Auth catches some database failures itself: it logs them, then answers as if the session
 * did not exist (a 401, which signs the web app out) or with its own bare 500. This remembers, per
 * request, that such a failure went through Better Auth's logger, so that auth-routes.ts can
 * answer 503 instead. Unlike asking the database again afterwards, it cannot be fooled by a
 * database that has come back in the meantime.
 */
export function createAuthFailureLog() {
  const current = new AsyncLocalStorage<{ databaseUnavailable: boolean }>();
  return {
    /** Disabled between Better Auth's calls (async-context.ts). */
    store: current,
    /** Runs one Better Auth request and tells whether a database failure was logged during it. */
    async track(
      handle: () => Promise<Response>,
    ): Promise<{ response: Response; databaseUnavailable: boolean }> {
      const state = { databaseUnavailable: false };
      const response = await current.run(state, handle);
      return { response, databaseUnavailable: state.databaseUnavailable };
    },
    /** For Better Auth's logger: the arguments of each error it logs. */
    noteLoggedError(args: unknown[]): void {
      const state = current.getStore();
      if (state && args.some(isDatabaseUnavailable)) state.databaseUnavailable = true;
    },
  };
}

export type AuthFailureLog = ReturnType<typeof createAuthFailureLog>;
