import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { createAuthMiddleware } from "better-auth/api";
import { bearer, jwt } from "better-auth/plugins";
import type { Logger } from "pino";
import type { Database } from "../db/client";
import * as schema from "../db/schema";
import { CLIENT_ADDRESS_HEADER } from "../http/client-address-middleware";
import { loggableValue } from "../http/loggable-value";
import { betterAuthLimits } from "../rate-limit/better-auth-limits";
import type { CounterStore } from "../rate-limit/counter-store";
import { assertValidUserName } from "./user-name";

export interface AuthOptions {
  db: Database;
  baseUrl: string;
  secret: string;
  jwtExpiresIn: string;
  trustedOrigins: string[];
  /** Better Auth's own limiter (AUTH_RATE_LIMIT); on in production, opt-in elsewhere. */
  rateLimit: boolean;
  /** Where its counters live: the shared store (per-process memory without one). */
  rateLimitStore?: CounterStore;
  logger: Logger;
  /** Called with the arguments of every error Better Auth logs (see auth-failures.ts). */
  onErrorLogged?: (args: unknown[]) => void;
}

/**
 * Better Auth's /change-password keeps the user's other sessions unless the client asks
 * (`revokeOtherSessions`), so a stolen session or JWT would outlive the new password. This forces
 * it on: Better Auth then ends every session of the user in the same transaction as the password
 * update and hands the caller a new session (cookie, `set-auth-token` header and `token` field),
 * so the user who changed it keeps working after fetching a new JWT.
 */
const endOtherSessionsOnPasswordChange = createAuthMiddleware(async (ctx) => {
  if (ctx.path !== "/change-password" || typeof ctx.body !== "object" || ctx.body === null) return;
  return { context: { body: { ...ctx.body, revokeOtherSessions: true } } };
});

export function createAuth(options: AuthOptions) {
  return betterAuth({
    appName: "hackathon-todo",
    baseURL: options.baseUrl,
    basePath: "/api/auth",
    secret: options.secret,
    database: drizzleAdapter(options.db, { provider: "pg", schema }),
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      // A new password ends every session, and so every JWT bound to one (decision 019). No reset
      // email is configured today; this keeps a future reset flow from forgetting it.
      revokeSessionsOnPasswordReset: true,
    },
    trustedOrigins: options.trustedOrigins,
    hooks: { before: endOtherSessionsOnPasswordChange },
    rateLimit: {
      enabled: options.rateLimit,
      ...(options.rateLimitStore ? betterAuthLimits(options.rateLimitStore) : {}),
    },
    // The client address as client-address-middleware.ts decided it (socket, or X-Forwarded-For
    // through TRUST_PROXY), never a header the client wrote: see decision 017.
    advanced: { ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER], ipv6Subnet: 64 } },
    telemetry: { enabled: false },
    // Unexpected errors (a database that is down) reach our error handler, which answers 503 or a
    // bare 500; Better Auth's own 4xx answers are unaffected.
    onAPIError: { throw: true },
    // Better Auth's messages go to our structured log instead of the console, without the
    // secrets its arguments may hold (a failed session query carries the session token).
    logger: {
      log: (level, message, ...args) => {
        if (level === "error") options.onErrorLogged?.(args);
        options.logger[level]({ betterAuth: args.map((arg) => loggableValue(arg)) }, message);
      },
    },
    databaseHooks: {
      user: {
        create: { before: async (user) => assertValidUserName(user.name) },
        update: { before: async (user) => assertValidUserName(user.name) },
      },
    },
    plugins: [
      bearer(),
      jwt({
        jwt: {
          expirationTime: options.jwtExpiresIn,
          // Only the claims the API needs (sub, iss, aud, iat, exp, and sid, the session the token
          // is bound to: decision 019): no email or profile in tokens.
          definePayload: ({ session }) => ({ sid: session.id }),
        },
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
