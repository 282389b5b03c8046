import type { Server } from "node:http";
import { serve } from "@hono/node-server";

/** An in-process app listening on 127.0.0.1 for real, for what must be fetched over HTTP (a JWKS). */
export async function listenInProcess(
  app: { fetch: (request: Request) => Response | Promise<Response> },
  port: number,
) {
  const httpServer = serve({
    fetch: (request: Request) => app.fetch(request),
    hostname: "127.0.0.1",
    port,
    overrideGlobalObjects: false,
  }) as Server;
  await new Promise<void>((resolve, reject) => {
    if (httpServer.listening) return resolve();
    httpServer.once("listening", () => resolve());
    httpServer.once("error", reject);
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.closeAllConnections();
        httpServer.close(() => resolve());
      }),
  };
}
