import type { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { statusTitle } from "./problem";
import type { HeaderList } from "./security-headers";

/** Node's parser errors that the client caused, and the status each deserves. */
const STATUS_BY_CODE: Record<string, 400 | 408 | 413 | 431> = {
  HPE_HEADER_OVERFLOW: 431,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_REQUEST_TIMEOUT: 408,
};

/**
 * Requests Node refuses before Hono sees them (headers over the 16 KiB limit: a huge token; a
 * request line it cannot parse; a client too slow to send its headers) get the same problem+json
 * as everything else instead of Node's empty answer, with the security headers of every answer.
 * The connection is closed after it.
 */
export function answerClientErrors(server: EventEmitter, securityHeaders: HeaderList) {
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = STATUS_BY_CODE[error.code ?? ""] ?? 400;
    const detail =
      status === 431
        ? "The request headers are over the server's limit (16 KiB); a token that large is not ours."
        : status === 408
          ? "The request took too long to arrive."
          : "The request could not be parsed as HTTP.";
    const body = JSON.stringify({
      type: "about:blank",
      title: statusTitle(status),
      status,
      detail,
    });
    socket.end(
      [
        `HTTP/1.1 ${status} ${statusTitle(status)}`,
        "Content-Type: application/problem+json",
        `Content-Length: ${Buffer.byteLength(body)}`,
        "Connection: close",
        ...securityHeaders.map(([name, value]) => `${name}: ${value}`),
        "",
        body,
      ].join("\r\n"),
    );
  });
}
