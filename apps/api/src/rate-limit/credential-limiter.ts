import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import type { Auth } from "../auth/auth";
import { loggableError } from "../http/loggable-error";
import { problems } from "../http/problem";
import { requestLogger } from "../http/request-log";
import type { CounterStore, Limit } from "./counter-store";
import {
  CREDENTIAL_PATHS,
  passwordCheckLimits,
  signInLimits,
  signUpLimits,
} from "./credential-limits";
import { submittedEmail } from "./submitted-email";

const AUTH_BASE = "/api/auth";

interface Plan {
  limits: Limit[];
  /** Count failures only: a request that succeeds gives its count back. */
  refundOnSuccess: boolean;
}

async function planFor(c: Context<AppEnv>, auth: Auth): Promise<Plan | undefined> {
  if (c.req.method !== "POST") return undefined;
  const path = c.req.path.slice(AUTH_BASE.length).replace(/\/+$/, "");
  const address = c.var.clientAddress.key;
  switch (path) {
    case CREDENTIAL_PATHS.signIn:
      return {
        limits: signInLimits(address, await submittedEmail(c.req.raw)),
        refundOnSuccess: true,
      };
    case CREDENTIAL_PATHS.signUp:
      return {
        limits: signUpLimits(address, await submittedEmail(c.req.raw)),
        refundOnSuccess: false,
      };
    case CREDENTIAL_PATHS.changePassword:
    case CREDENTIAL_PATHS.verifyPassword: {
      // Without a session Better Auth answers 401 before it checks any password.
      const session = await auth.api.getSession({ headers: c.req.raw.headers });
      return session
        ? { limits: passwordCheckLimits(session.user.id), refundOnSuccess: true }
        : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Limits on the Better Auth requests that test a password or tell whether an e-mail has an
 * account, counted in the shared store before Better Auth runs, so that parallel guesses cannot
 * pass the check together. Mounted on /api/auth/* in front of the auth handler.
 */
export function credentialLimiter(deps: {
  store: CounterStore;
  auth: Auth;
}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const plan = await planFor(c, deps.auth);
    if (!plan) return next();
    const verdict = await deps.store.consume(plan.limits);
    if (!verdict.allowed) throw problems.tooManyRequests(verdict.retryAfterSeconds);
    await next();
    if (plan.refundOnSuccess && c.res.status < 400) {
      // The user is in: a failed refund must not turn that into an error.
      await deps.store.refund(verdict.counted).catch((error: unknown) => {
        requestLogger(c).warn({ err: loggableError(error) }, "rate-limit refund failed");
      });
    }
  };
}
