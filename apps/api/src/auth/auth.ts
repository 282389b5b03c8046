import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { bearer, jwt } from "better-auth/plugins";
import type { Logger } from "pino";
import type { Database } from "../db/client";
import * as schema from "../db/schema";
import { loggableError } from "../http/loggable-error";

export interface AuthOptions {
  db: Database;
  baseUrl: string;
  secret: string;
  jwtExpiresIn: string;
  trustedOrigins: string[];
  /** Better Auth's own limiter for sign-in/sign-up; on in production, opt-in elsewhere. */
  rateLimit: boolean;
  logger: Logger;
  /** Called with the arguments of every error Better Auth logs (see auth-failures.ts). */
  onErrorLogged?: (args: unknown[]) => void;
}

export function createAuth(options: AuthOptions) {
  return betterAuth({
    appName: "hackathon-todo",
    baseURL: options.baseUrl,
    basePath: "/api/auth",
    secret: options.secret,
    database: drizzleAdapter(options.db, { provider: "pg", schema }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128 },
    trustedOrigins: options.trustedOrigins,
    rateLimit: { enabled: options.rateLimit },
    telemetry: { enabled: false },
    // Unexpected errors (a database that is down) reach our error handler, which answers 503 or a
    // bare 500; Better Auth's own 4xx answers are unaffected.
    onAPIError: { throw: true },
    // Better Auth's messages go to our structured log instead of the console.
    logger: {
      log: (level, message, ...args) => {
        if (level === "error") options.onErrorLogged?.(args);
        const loggable = args.map((arg) => (arg instanceof Error ? loggableError(arg) : arg));
        options.logger[level]({ betterAuth: loggable }, message);
      },
    },
    plugins: [
      bearer(),
      jwt({
        jwt: {
          expirationTime: options.jwtExpiresIn,
          // Only the claims the API needs (sub, iss, aud, iat, exp): no email or profile in tokens.
          definePayload: () => ({}),
        },
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
