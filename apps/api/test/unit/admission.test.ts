import { once } from "node:events";
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { admitInTurn } from "../../src/http/admission";

// admitInTurn over real sockets: what is in progress, in which order, and what never waits.

interface Served {
  path: string;
  body: Buffer | undefined;
  finish: () => void;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/**
 * A server whose every request is in progress until the test finishes it (the listener's promise
 * settles then, as @hono/node-server's does once it has answered); `arrived` counts arrivals.
 */
async function heldServer(
  limit: number,
  options: { maxBodyBytes?: number; holdAtMostMs?: number } = {},
) {
  const served: Served[] = [];
  const state = { arrived: 0 };
  const listener = (request: IncomingMessage, response: ServerResponse) =>
    new Promise<void>((resolve) => {
      const { rawBody } = request as IncomingMessage & { rawBody?: Buffer };
      served.push({
        path: request.url ?? "",
        body: rawBody,
        finish: () => {
          response.end("done");
          resolve();
        },
      });
    });
  server = createServer(
    admitInTurn(listener, {
      limit,
      maxBodyBytes: options.maxBodyBytes ?? 16,
      holdAtMostMs: options.holdAtMostMs ?? 60_000,
      bypass: (path) => path === "/health",
    }),
  );
  server.on("request", () => state.arrived++);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { served, state, port };
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

describe("admitInTurn", () => {
  it("serves at most `limit` requests at once and the others in arrival order", async () => {
    const { served, state, port } = await heldServer(2);
    const answers: Promise<string>[] = [];
    for (const path of ["/1", "/2", "/3", "/4", "/5"]) {
      const { request, answered } = send(port, path);
      request.end();
      answers.push(answered);
      await until(() => state.arrived === answers.length);
    }
    await until(() => served.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(served.map((each) => each.path)).toEqual(["/1", "/2"]);

    served[1]?.finish();
    await until(() => served.length === 3);
    served[0]?.finish();
    await until(() => served.length === 4);
    expect(served.map((each) => each.path)).toEqual(["/1", "/2", "/3", "/4"]);
    served[2]?.finish();
    served[3]?.finish();
    await until(() => served.length === 5);
    served[4]?.finish();
    expect(await Promise.all(answers)).toEqual(["done", "done", "done", "done", "done"]);
  });

  it("reads a body before its request waits, so that a slow sender holds no place", async () => {
    const { served, state, port } = await heldServer(1);
    const slow = send(port, "/slow", "POST", { "content-length": "10" });
    slow.request.write("12345");
    await until(() => state.arrived === 1);

    const quick = send(port, "/quick");
    quick.request.end();
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

  it("leaves a body declared too large unread, and reads one of unknown size to one byte over", async () => {
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

  it("skips a client that left while it waited, and its place is not lost", async () => {
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
    await new Promise((resolve) => setTimeout(resolve, 50));

    served[0]?.finish();
    await until(() => served.length === 2);
    expect(served[1]?.path).toBe("/staying");
    served[1]?.finish();
    expect(await staying.answered).toBe("done");
  });

  it("never holds back the paths it bypasses", async () => {
    const { served, port } = await heldServer(1);
    send(port, "/busy").request.end();
    await until(() => served.length === 1);
    send(port, "/health").request.end();
    await until(() => served.length === 2);
    expect(served.map((each) => each.path)).toEqual(["/busy", "/health"]);
  });

  it("frees a place held past holdAtMostMs, as by an answer a client reads slowly", async () => {
    const { served, state, port } = await heldServer(1, { holdAtMostMs: 100 });
    send(port, "/stuck").request.end();
    await until(() => served.length === 1);
    send(port, "/next").request.end();
    await until(() => state.arrived === 2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(served).toHaveLength(1);
    await until(() => served.length === 2);
    expect(served[1]?.path).toBe("/next");
  });
});
