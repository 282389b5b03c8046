import { once } from "node:events";
import { createServer, request as httpRequest, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { admitInTurn, readBodiesFirst } from "../../src/http/admission";
import { onError } from "../../src/http/on-error";
import { requestDeadline } from "../../src/http/request-deadline";
import { collectAdmissionMetrics } from "../../src/observability/admission-metrics";

// The admission gate over real sockets, through the Node adapter as index.ts wires it: what is
// in progress, in which order, what never waits, and what frees a place.

interface Served {
  path: string;
  body: Buffer | undefined;
  finish: (answer?: Response) => void;
  fail: () => void;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose every request is in the app until the test finishes it; `arrived` counts. */
async function heldServer(
  limit: number,
  options: { maxBodyBytes?: number; waitAtMostMs?: number } = {},
) {
  const served: Served[] = [];
  const state = { arrived: 0 };
  const app = (request: Request, env: { incoming?: unknown }) =>
    new Promise<Response>((resolve, reject) => {
      served.push({
        path: new URL(request.url).pathname,
        body: (env.incoming as IncomingMessage & { rawBody?: Buffer }).rawBody,
        finish: (answer = new Response("done")) => resolve(answer),
        fail: () => reject(new Error("the app failed")),
      });
    });
  const gate = admitInTurn(app, {
    limit,
    waitAtMostMs: options.waitAtMostMs ?? 60_000,
    neverWait: new Set(["/health"]),
  });
  server = createServer(readBodiesFirst(getRequestListener(gate), options.maxBodyBytes ?? 16));
  server.on("request", () => state.arrived++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { served, state, port, gate };
}

function send(port: number, path: string, method = "GET", headers: Record<string, string> = {}) {
  const request = httpRequest({ host: "127.0.0.1", port, path, method, headers });
  const answered = new Promise<string>((resolve, reject) => {
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk) => {
        text += chunk;
      });
      response.on("end", () => resolve(text));
    });
    request.on("error", reject);
  });
  answered.catch(() => {});
  return { request, answered };
}

async function until(condition: () => boolean) {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

/**
 * The gate in front of a Hono app with the request deadline (`timeoutMs`, refusing requests with
 * less than `leastMs` left): GET /work starts work that lasts until `release()`, /quick none.
 */
async function deadlineServer(options: {
  waitAtMostMs: number;
  timeoutMs: number;
  leastMs: number;
}) {
  const work = { starts: 0, quick: 0, release: () => {} };
  const done = new Promise<void>((resolve) => {
    work.release = resolve;
  });
  const app = new Hono<AppEnv>();
  app.use(requestDeadline(options.timeoutMs, options.leastMs));
  app.get("/work", async (c) => {
    work.starts++;
    await done;
    return c.text("worked");
  });
  app.get("/quick", (c) => {
    work.quick++;
    return c.text("quick");
  });
  app.onError(onError);
  const admitted = admitInTurn(app.fetch, {
    limit: 1,
    waitAtMostMs: options.waitAtMostMs,
    neverWait: new Set(),
  });
  server = createServer(readBodiesFirst(getRequestListener(admitted), 16));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { work, port: (server.address() as AddressInfo).port };
}

/** /quick is not served while the work holds the only place, and is once it is released. */
async function expectQuickToWaitForTheWork(
  work: { quick: number; release: () => void },
  port: number,
) {
  const quick = statusOf(port, "/quick");
  await settle();
  expect(work.quick).toBe(0);
  work.release();
  expect(await quick).toBe(200);
}

const statusOf = (port: number, path: string) =>
  new Promise<number>((resolve, reject) => {
    const request = httpRequest({ host: "127.0.0.1", port, path }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on("error", reject);
    request.end();
  });

describe("admitInTurn and readBodiesFirst", () => {
  it("serve at most `limit` requests at once and the others in arrival order", async () => {
    const { served, state, port } = await heldServer(2);
    const answers: Promise<string>[] = [];
    for (const path of ["/1", "/2", "/3", "/4", "/5"]) {
      const { request, answered } = send(port, path);
      request.end();
      answers.push(answered);
      await until(() => state.arrived === answers.length);
    }
    await until(() => served.length === 2);
    await settle();
    expect(served.map((each) => each.path)).toEqual(["/1", "/2"]);

    served[1]?.finish();
    await until(() => served.length === 3);
    served[0]?.finish();
    await until(() => served.length === 4);
    expect(served.map((each) => each.path)).toEqual(["/1", "/2", "/3", "/4"]);
    served[2]?.finish();
    served[3]?.fail();
    await until(() => served.length === 5);
    served[4]?.finish();
    const texts = await Promise.all(answers);
    expect(texts.filter((text) => text === "done")).toHaveLength(4);
  });

  it("tell /metrics how many requests are in progress and how many wait", async () => {
    const { served, state, port, gate } = await heldServer(2);
    const registry = new Registry();
    collectAdmissionMetrics(registry, gate, 2);
    const gauges = async () => {
      const text = await registry.metrics();
      return [...text.matchAll(/^(todo_http_requests_\w+) (\d+)$/gm)].map(
        ([, name, value]) => `${name} ${value}`,
      );
    };
    const answers = ["/1", "/2", "/3", "/health"].map((path) => {
      const { request, answered } = send(port, path);
      request.end();
      return answered;
    });
    await until(() => state.arrived === 4 && served.length === 3);
    // /health never waits and is not counted.
    expect(await gauges()).toEqual([
      "todo_http_requests_in_progress 2",
      "todo_http_requests_waiting 1",
      "todo_http_requests_in_progress_max 2",
    ]);
    for (const each of served) each.finish();
    await until(() => served.length === 4);
    served[3]?.finish();
    await Promise.all(answers);
    await until(() => gate.inProgress() === 0);
    expect(await gauges()).toContain("todo_http_requests_waiting 0");
  });

  it("read a body before its request waits, so that a slow sender holds no place", async () => {
    const { served, state, port } = await heldServer(1);
    const slow = send(port, "/slow", "POST", { "content-length": "10" });
    slow.request.write("12345");
    await until(() => state.arrived === 1);

    send(port, "/quick").request.end();
    await until(() => served.length === 1);
    expect(served[0]?.path).toBe("/quick");

    slow.request.end("67890");
    served[0]?.finish();
    await until(() => served.length === 2);
    expect(served[1]?.path).toBe("/slow");
    expect(served[1]?.body?.toString()).toBe("1234567890");
    served[1]?.finish();
    expect(await slow.answered).toBe("done");
  });

  it("leave a body declared too large unread, and read one of unknown size to one byte over", async () => {
    const { served, port } = await heldServer(2, { maxBodyBytes: 16 });
    const declared = send(port, "/declared", "POST", { "content-length": "17" });
    declared.request.write("x".repeat(8));
    await until(() => served.length === 1);
    expect(served[0]?.body).toBeUndefined();

    const chunked = send(port, "/chunked", "POST", { "transfer-encoding": "chunked" });
    chunked.request.write("y".repeat(10));
    chunked.request.write("y".repeat(10));
    await until(() => served.length === 2);
    expect(served[1]?.body?.toString()).toBe("y".repeat(17));
  });

  it("skip a client that left while it waited, and its place is not lost", async () => {
    const { served, state, port } = await heldServer(1);
    send(port, "/first").request.end();
    await until(() => served.length === 1);
    const leaving = send(port, "/leaving");
    leaving.request.end();
    await until(() => state.arrived === 2);
    const staying = send(port, "/staying");
    staying.request.end();
    await until(() => state.arrived === 3);
    leaving.request.destroy();
    await settle();

    served[0]?.finish();
    await until(() => served.length === 2);
    expect(served[1]?.path).toBe("/staying");
    served[1]?.finish();
    expect(await staying.answered).toBe("done");
  });

  it("let only /health past a full house: not an encoded or absolute-form path", async () => {
    const { served, state, port } = await heldServer(1);
    send(port, "/busy").request.end();
    await until(() => served.length === 1);
    send(port, "/%68ealth").request.end();
    send(port, "http://127.0.0.1/health").request.end();
    await until(() => state.arrived === 3);
    send(port, "/health").request.end();
    await until(() => served.length === 2);
    await settle();
    expect(served.map((each) => each.path)).toEqual(["/busy", "/health"]);
  });

  it("free a place once the app has built its answer, though the client has not read it all", async () => {
    const { served, port } = await heldServer(1);
    send(port, "/endless").request.end();
    await until(() => served.length === 1);
    // An answer whose body never ends, as one written to a client that reads nothing.
    served[0]?.finish(new Response(new ReadableStream({ pull: () => new Promise(() => {}) })));
    send(port, "/next").request.end();
    await until(() => served.length === 2);
    expect(served[1]?.path).toBe("/next");
  });

  it("hand a request that waited waitAtMostMs to the app anyway, once, for its deadline to answer", async () => {
    const { served, state, port, gate } = await heldServer(1, { waitAtMostMs: 100 });
    send(port, "/held").request.end();
    await until(() => served.length === 1);
    send(port, "/late").request.end();
    await until(() => state.arrived === 2);
    await settle();
    expect(served).toHaveLength(1);
    expect([gate.inProgress(), gate.waiting()]).toEqual([1, 1]);
    await until(() => served.length === 2);
    expect(served[1]?.path).toBe("/late");
    // It no longer waits (its answer is on its way), though it has not had a place.
    expect([gate.inProgress(), gate.waiting()]).toEqual([1, 0]);

    served[0]?.finish();
    served[1]?.finish();
    send(port, "/after").request.end();
    await until(() => served.length === 3);
    await settle();
    expect(served.map((each) => each.path)).toEqual(["/held", "/late", "/after"]);
  });

  it("keep a place until the work settles, though the deadline answered first", async () => {
    const { work, port } = await deadlineServer({
      waitAtMostMs: 60_000,
      timeoutMs: 200,
      leastMs: 50,
    });
    expect(await statusOf(port, "/work")).toBe(503);
    await expectQuickToWaitForTheWork(work, port);
  });

  it("keep a place when the client hangs up while the app works for it", async () => {
    const { work, port } = await deadlineServer({
      waitAtMostMs: 60_000,
      timeoutMs: 60_000,
      leastMs: 50,
    });
    const leaving = send(port, "/work");
    leaving.request.end();
    await until(() => work.starts === 1);
    leaving.request.destroy();
    await expectQuickToWaitForTheWork(work, port);
  });

  it("answer 503 without any work a request that waited out its time", async () => {
    const { work, port } = await deadlineServer({ waitAtMostMs: 150, timeoutMs: 150, leastMs: 50 });
    send(port, "/work").request.end();
    await until(() => work.starts === 1);
    const late = await Promise.all([statusOf(port, "/work"), statusOf(port, "/work")]);
    expect(late).toEqual([503, 503]);
    expect(work.starts).toBe(1);
    work.release();
  });
});
