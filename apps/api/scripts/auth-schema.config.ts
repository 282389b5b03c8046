// Input for Better Auth's schema generator (`npm run auth:generate`): the same plugins as the
// server, on a mock database, so the CLI can read which tables and columns they need.
import { drizzle } from "drizzle-orm/node-postgres";
import pino from "pino";
import { createAuth } from "../src/auth/auth";

export const auth = createAuth({
  db: drizzle.mock(),
  baseUrl: "http://localhost:3000",
  secret: "schema-generation-only-not-a-real-secret",
  jwtExpiresIn: "7d",
  trustedOrigins: [],
  rateLimit: false,
  logger: pino({ level: "silent" }),
});
