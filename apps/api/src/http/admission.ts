import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import pLimit from "p-limit";

/**
 * At most `limit` requests in progress in this process; the others wait their turn, in arrival
 * order, before any work is done for them (decision 044). A request in progress holds its
 * parsing, its middleware and its rows in the heap while it waits for one of the pool's few
 * connections: hundreds of them outlived V8's young generation, were copied to the old one, and
 * the process spent its time collecting them.
 *
 * Only /api requests wait: they are what needs the database; the web app's files and /health
 * never do.
 *
 * A body is read before its request waits its turn, so that a client sending one slowly cannot
 * hold a place: it is handed to the app whole, as `rawBody` (@hono/node-server reads it from
 * there). Only bodies the app would accept are read: one declared larger than `maxBodyBytes` goes
 * on unread, to be refused with a 413; one of unknown size is read up to one byte over, enough for
 * the app to refuse it the same way.
 */
export interface Admission {
  limit: number;
  maxBodyBytes: number;
  /**
   * The longest a request keeps its place: past it the app has answered (the request deadline),
   * and what remains is a response streamed to a client that reads it slowly.
   */
  holdAtMostMs: number;
  /** Requests that never wait: what is not /api, and event streams, which stay open. */
  bypass: (path: string) => boolean;
}

const arrivedAtKey = Symbol("arrivedAt");

type Incoming = IncomingMessage & { rawBody?: Buffer; [arrivedAtKey]?: number };

/** Node's request listener, as @hono/node-server's: its promise settles once it has answered. */
type Listener = (request: IncomingMessage, response: ServerResponse) => unknown;

/** When the request reached the server (performance.now()), if it went through admitInTurn. */
export const arrivedAt = (incoming: IncomingMessage | undefined): number | undefined =>
  (incoming as Incoming | undefined)?.[arrivedAtKey];

export function admitInTurn(listener: Listener, admission: Admission): RequestListener {
  const inProgress = pLimit(admission.limit);
  const serve = (request: Incoming, response: ServerResponse) =>
    new Promise<void>((resolve) => {
      // A client that left while it waited is not served. (Not `request.destroyed`: a request
      // whose body was read to its end is destroyed, its socket alive.)
      if (request.socket.destroyed || response.destroyed) return resolve();
      // The place is free as soon as the app has handed its answer over, not once the client
      // has read it all: a client that reads slowly must not hold it.
      const timer = setTimeout(resolve, admission.holdAtMostMs);
      const free = () => {
        clearTimeout(timer);
        resolve();
      };
      response.once("close", free);
      Promise.resolve(listener(request, response)).then(free, free);
    });
  const enqueue = (request: Incoming, response: ServerResponse) => {
    void inProgress(() => serve(request, response));
  };

  return (incoming, response) => {
    const request = incoming as Incoming;
    request[arrivedAtKey] = performance.now();
    const path = request.url?.split("?", 1)[0] ?? "";
    if (admission.bypass(path)) return void listener(request, response);
    if (!hasBodyToRead(request, admission.maxBodyBytes)) return enqueue(request, response);
    readBody(request, admission.maxBodyBytes + 1).then(
      (body) => {
        request.rawBody = body;
        enqueue(request, response);
      },
      // The client went away mid-body: nothing to answer.
      () => response.destroy(),
    );
  };
}

function hasBodyToRead(request: IncomingMessage, maxBytes: number): boolean {
  if (request.method === "GET" || request.method === "HEAD") return false;
  if (request.headers["transfer-encoding"] !== undefined) return true;
  const length = Number(request.headers["content-length"] ?? 0);
  return length > 0 && length <= maxBytes;
}

/** The body, or its first `upTo` bytes; the rest is left unread. */
function readBody(request: IncomingMessage, upTo: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      request.off("data", onData);
      request.off("end", done);
      request.off("error", reject);
      request.off("close", onClose);
      request.pause();
      resolve(Buffer.concat(chunks, Math.min(size, upTo)));
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= upTo) done();
    };
    const onClose = () => {
      if (!request.complete) reject(new Error("the client closed the connection mid-body"));
    };
    request.on("data", onData);
    request.once("end", done);
    request.once("error", reject);
    request.once("close", onClose);
  });
}
