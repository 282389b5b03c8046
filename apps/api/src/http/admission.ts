import type { IncomingMessage, RequestListener } from "node:http";
import pLimit from "p-limit";
import { framingOf } from "./body-framing";

// Requests in progress, and their bodies (decision 044). Under load a request spends most of its
// life waiting for one of the pool's few connections, holding its parsing, its middleware and its
// rows in the heap: hundreds of them outlived V8's young generation, were copied to the old one,
// and the process spent its time collecting them. So at most `limit` requests are in the app at
// once; the others wait their turn, in arrival order, before any work is done for them.

const arrivedAtKey = Symbol("arrivedAt");
const gaveUpKey = Symbol("gaveUpWaiting");
const workKey = Symbol("work");

type Incoming = IncomingMessage & {
  rawBody?: Buffer;
  [arrivedAtKey]?: number;
  [gaveUpKey]?: boolean;
  [workKey]?: Promise<unknown>;
};

/** When the request reached the server (performance.now()), if it went through readBodiesFirst. */
export const arrivedAt = (incoming: unknown): number | undefined =>
  (incoming as Incoming | undefined)?.[arrivedAtKey];

/** Whether the request waited out its time for a turn: it must be refused before any work. */
export const gaveUpWaiting = (incoming: unknown): boolean =>
  (incoming as Incoming | undefined)?.[gaveUpKey] === true;

/**
 * Keeps the request's place until `work` settles, even if the request is answered before (its
 * deadline answers 503 while the database still works for it): otherwise requests answered late
 * would leave their work running beyond the limit.
 */
export function holdPlaceUntil(incoming: unknown, work: Promise<unknown>): void {
  if (incoming) (incoming as Incoming)[workKey] = work;
}

const ignore = () => {};

const waitedMs = (incoming: Incoming | undefined) =>
  performance.now() - (arrivedAt(incoming) ?? performance.now());

/** What /metrics reports of the gate (observability/admission-metrics.ts). */
export interface AdmissionCounts {
  /** Requests holding a place: at most `limit`. */
  inProgress(): number;
  /** Requests waiting for one (not those that gave up: they are answered at once). */
  waiting(): number;
}

/** The app's fetch as the Node adapter calls it, with the Node request and response. */
type Fetch<Env> = (request: Request, env: Env) => Response | Promise<Response>;

export interface Admission {
  limit: number;
  /**
   * The longest a request waits for its turn: then it goes to the app marked (`gaveUpWaiting`),
   * to be answered 503 without any work.
   */
  waitAtMostMs: number;
  /** Exact paths that never wait: the probes, which must answer however busy the server is. */
  neverWait: ReadonlySet<string>;
}

/**
 * `fetch`, with at most `admission.limit` calls in progress. A place is held until the app has
 * built its answer and the work behind it has settled (`holdPlaceUntil`), whatever happens to the
 * client meanwhile, and not while the answer is written: a client that reads slowly holds none.
 */
export function admitInTurn<Env extends { incoming?: unknown }>(
  fetch: Fetch<Env>,
  admission: Admission,
): Fetch<Env> & AdmissionCounts {
  const inProgress = pLimit(admission.limit);
  let waiting = 0;
  // A throw, too, becomes a rejected answer: the adapter answers it 500.
  const call = (request: Request, env: Env) =>
    new Promise<Response>((resolve) => resolve(fetch(request, env)));
  const admitted: Fetch<Env> = (request, env) => {
    // The server is HTTP/1.1 (index.ts): the adapter's incoming is node:http's.
    const incoming = env.incoming as Incoming | undefined;
    if (admission.neverWait.has(incoming?.url ?? "")) return call(request, env);
    return new Promise<Response>((resolve, reject) => {
      let turn: "waiting" | "taken" | "given up" = "waiting";
      waiting += 1;
      const giveUp = () => {
        if (turn !== "waiting") return;
        turn = "given up";
        waiting -= 1;
        if (incoming) incoming[gaveUpKey] = true;
        call(request, env).then(resolve, reject);
      };
      // p-limit starts a call at once while a place is free (its queue is then empty): only a
      // request that must wait needs a timer.
      const waitTimer =
        inProgress.activeCount < admission.limit
          ? undefined
          : setTimeout(giveUp, admission.waitAtMostMs - waitedMs(incoming));
      void inProgress(async () => {
        clearTimeout(waitTimer);
        if (turn !== "waiting") return;
        turn = "taken";
        waiting -= 1;
        // A client that left while it waited gets nothing: the adapter writes to a closed socket.
        if (incoming?.socket.destroyed) return resolve(new Response(null, { status: 499 }));
        const answer = call(request, env);
        answer.then(resolve, reject);
        await answer.catch(ignore);
        await incoming?.[workKey]?.catch(ignore);
      });
    });
  };
  return Object.assign(admitted, {
    inProgress: () => inProgress.activeCount,
    waiting: () => waiting,
  });
}

/**
 * Notes each request's arrival, and reads its body before it waits its turn, so that a client
 * sending one slowly cannot hold a place: the body goes to the app whole, as `rawBody`
 * (@hono/node-server reads it from there). Only a body the app would accept is read: one declared
 * larger than `maxBodyBytes` goes on unread, to be refused with a 413; one of unknown size is read
 * up to one byte over, enough for the app to refuse it the same way.
 */
export function readBodiesFirst(listener: RequestListener, maxBodyBytes: number): RequestListener {
  return (incoming, response) => {
    const request = incoming as Incoming;
    request[arrivedAtKey] = performance.now();
    if (!hasBodyToRead(request, maxBodyBytes)) return listener(request, response);
    readBody(request, maxBodyBytes + 1).then(
      (body) => {
        request.rawBody = body;
        listener(request, response);
      },
      // The client went away mid-body: nothing to answer.
      () => response.destroy(),
    );
  };
}

function hasBodyToRead(request: IncomingMessage, maxBytes: number): boolean {
  const framing = framingOf(
    request.method ?? "GET",
    (name) => request.headers[name] as string | undefined,
    true,
  );
  return framing.kind === "unknown" || (framing.kind === "sized" && framing.bytes <= maxBytes);
}

/**
 * The body, or its first `upTo` bytes; the rest is left unread. By hand: raw-body and the like
 * refuse a body over their limit, where the app must see one byte over to answer its own 413.
 */
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
