import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { createAuthMiddleware } from "better-auth/api";
import { bearer, jwt } from "better-auth/plugins";
import type { Logger } from "pino";
import type { Database } from "../db/client";
import * as schema from "../db/schema";

export interface AuthOptions {
  db: Database;
  baseUrl: string;
  secret: string;
  jwtExpiresIn: string;
  trustedOrigins: string[];
  /** Better Auth's own limiter for sign-in/sign-up; on in production, opt-in elsewhere. */
  rateLimit: boolean;
  logger: Logger;
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
    rateLimit: { enabled: options.rateLimit },
    telemetry: { enabled: false },
    // Unexpected errors (a database that is down) reach our error handler, which answers 503 or a
    // bare 500; Better Auth's own 4xx answers are unaffected.
    onAPIError: { throw: true },
    // Better Auth's messages go to our structured log instead of the console.
    logger: {
      log: (level, message, ...args) => options.logger[level]({ betterAuth: args }, message),
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
