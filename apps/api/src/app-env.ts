import type { RequestIdVariables } from "hono/request-id";
import type { PinoLogger } from "hono-pino";
import type { RateLimitInfo } from "hono-rate-limiter";
import type { Database } from "./db/client";
import type { ClientAddress } from "./http/client-address";

/** What middleware puts on the Hono context for the handlers after it. */
export interface AppEnv {
  Variables: RequestIdVariables & {
    logger: PinoLogger;
    /** The verified owner of this request (the JWT's `sub`); set by requireOwner. */
    userId: string;
    db: Database;
    rateLimit: RateLimitInfo;
    /** Decided once per request by client-address-middleware.ts. */
    clientAddress: ClientAddress;
  };
}
