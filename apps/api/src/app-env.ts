import type { HttpBindings } from "@hono/node-server";
import type { RequestIdVariables } from "hono/request-id";
import type { RateLimitInfo } from "hono-rate-limiter";
import type { Logger } from "pino";
import type { Database } from "./db/client";
import type { ClientAddress } from "./http/client-address";

/** What middleware puts on the Hono context for the handlers after it. */
export interface AppEnv {
  /** The Node adapter's request and response; absent when the app is called in-process. */
  Bindings: Partial<HttpBindings>;
  Variables: RequestIdVariables & {
    /** The server's logger; use requestLogger(c) to log with the request id. */
    logger: Logger;
    /** The verified owner of this request (the JWT's `sub`); set by requireOwner. */
    userId: string;
    /** The verified token's `exp` (seconds since the epoch): an event stream ends there. */
    tokenExpiresAt: number;
    db: Database;
    rateLimit: RateLimitInfo;
    /** Decided once per request by client-address-middleware.ts. */
    clientAddress: ClientAddress;
  };
}
