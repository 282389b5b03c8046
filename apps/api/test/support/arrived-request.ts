import type { IncomingMessage, ServerResponse } from "node:http";
import { readBodiesFirst } from "../../src/http/admission";

/** A GET as the server's readBodiesFirst hands it on: marked with its arrival, now. */
export function arrivedRequest(): IncomingMessage {
  let arrived: IncomingMessage | undefined;
  readBodiesFirst((request) => {
    arrived = request;
  }, 0)(
    { method: "GET", url: "/", headers: {}, socket: { destroyed: false } } as IncomingMessage,
    {} as ServerResponse,
  );
  if (!arrived) throw new Error("readBodiesFirst did not hand the request on at once");
  return arrived;
}
