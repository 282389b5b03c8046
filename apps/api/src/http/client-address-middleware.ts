import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { resolveClientAddress } from "./client-address";

/**
 * The header Better Auth reads the client address from (`advanced.ipAddress.ipAddressHeaders`).
 * Only this middleware writes it: a client's own copy is removed first.
 */
export const CLIENT_ADDRESS_HEADER = "x-client-address";

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // In-process requests (`app.request` in tests) have no Node socket behind them.
    return undefined;
  }
}

/**
 * Decides the client address once per request (see client-address.ts), puts it on the context for
 * our limits, and hands the same address to Better Auth in the one header it reads.
 */
export function clientAddress(trustProxy: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const address = resolveClientAddress({
      socket: socketAddress(c),
      forwardedFor: c.req.header("x-forwarded-for"),
      trustProxy,
    });
    c.set("clientAddress", address);
    const headers = c.req.raw.headers;
    headers.delete(CLIENT_ADDRESS_HEADER);
    if (address.ip) headers.set(CLIENT_ADDRESS_HEADER, address.ip);
    await next();
  };
}
