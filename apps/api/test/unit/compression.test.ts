import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, inflateSync } from "node:zlib";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { bodyOf, compressForClientsThatAccept } from "../../src/http/compression";
import { onError } from "../../src/http/on-error";

// Compression is decided on the answer's headers and body, and sent with its length in one
// piece (decision 051): seen only on real sockets, through the same adapter as src/index.ts.

const tasks = Array.from({ length: 40 }, (_, id) => ({ id, title: `Task ${id}`, done: false }));
const LARGE = 300 * 1024;

const streamOf = (text: string) =>
  new ReadableStream({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  });

let server: Server;
let base: string;
/** The last answer the app gave the adapter, as the adapter received it. */
let lastAnswer: Response | undefined;

beforeAll(async () => {
  const app = new Hono<AppEnv>();
  app.use(compressForClientsThatAccept());
  app.use((c, next) => {
    c.set("logger", pino({ level: "silent" }));
    return next();
  });
  app.onError(onError);
  app
    .get("/list", (c) => c.json(tasks))
    .get("/small", (c) => c.json({ id: 1 }))
    .get("/tagged", (c) => {
      c.header("ETag", '"7-2"');
      return c.json(tasks);
    })
    .get("/untransformed", (c) => {
      c.header("ETag", '"7-2"');
      c.header("Cache-Control", "private, no-transform");
      return c.json(tasks);
    })
    .get("/image", (c) => c.body(new Uint8Array(4096), 200, { "Content-Type": "image/png" }))
    .get("/streamed", () => {
      const text = "line of text\n".repeat(200);
      return new Response(streamOf(text), { headers: { "Content-Type": "text/plain" } });
    })
    .get("/large", (c) => c.text("x".repeat(LARGE)))
    .get("/bytes/:n", (c) => c.text("b".repeat(Number(c.req.param("n")))))
    .get("/accented", (c) => c.text("é".repeat(800)))
    .get("/created", (c) => {
      c.header("Set-Cookie", "a=1", { append: true });
      c.header("Set-Cookie", "b=2", { append: true });
      c.header("Vary", "Origin");
      return c.json(tasks, 201);
    })
    .get("/varied", (c) => {
      c.header("Vary", "accept-encoding");
      return c.json(tasks);
    })
    .get("/encoded", (c) => {
      c.header("Content-Encoding", "br");
      return c.body("already compressed".repeat(100), 200, { "Content-Type": "text/plain" });
    })
    .get("/not-modified", (c) => c.body(null, 304, { "Content-Type": "application/json" }))
    .get("/failing", (c) => {
      const body = new ReadableStream({
        pull(controller) {
          controller.error(new Error("the file went away"));
        },
      });
      // As serveStatic answers a file: its headers set on the context, then the body.
      c.header("Content-Length", "5000");
      c.header("Cache-Control", "public, max-age=31536000, immutable");
      c.header("Last-Modified", new Date(0).toUTCString());
      return c.body(body, 200, { "Content-Type": "text/plain" });
    })
    .get("/file", () => {
      const text = "file line\n".repeat(300);
      const headers = { "Content-Type": "text/plain", "Content-Length": String(text.length) };
      return new Response(streamOf(text), { headers });
    })
    .get("/streamed-small", () => {
      return new Response(streamOf("short"), { headers: { "Content-Type": "text/plain" } });
    })
    .get("/events", (c) =>
      streamSSE(c, async (stream) => {
        await stream.writeSSE({ data: "y".repeat(2000) });
      }),
    );
  server = createServer(
    getRequestListener(async (request, env) => {
      lastAnswer = await app.fetch(request, env);
      return lastAnswer;
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** The answer as it came off the socket: headers as sent, body not decoded. */
function send(path: string, headers: Record<string, string>, method = "GET") {
  return new Promise<RawAnswer>((resolve, reject) => {
    request(`${base}${path}`, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    })
      .on("error", reject)
      .end();
  });
}

const BROWSER = { "Accept-Encoding": "gzip, deflate, br, zstd" };

describe("compression (decision 051)", () => {
  it("gzips a JSON answer in one piece, with its length", async () => {
    const answer = await send("/list", BROWSER);
    expect(answer.status).toBe(200);
    expect(answer.headers["content-encoding"]).toBe("gzip");
    expect(answer.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(answer.headers["content-length"])).toBe(answer.body.byteLength);
    expect(answer.headers.vary).toBe("Accept-Encoding");
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(gunzipSync(answer.body).toString())).toEqual(tasks);
  });

  it("hands the adapter the compressed bytes as they are, not rebuilt as a stream", async () => {
    await send("/list", BROWSER);
    const kept = lastAnswer && Object.getOwnPropertySymbols(lastAnswer);
    const cache = kept?.find((symbol) => symbol.description === "cache");
    const body = cache && (lastAnswer as unknown as Record<symbol, unknown[]>)[cache]?.[1];
    expect(body).toBeInstanceOf(Uint8Array);
    expect(gunzipSync(body as Uint8Array).toString()).toBe(JSON.stringify(tasks));
  });

  it("keeps the status, every cookie and the Vary it had", async () => {
    const created = await send("/created", BROWSER);
    expect(created.status).toBe(201);
    expect(created.headers["content-encoding"]).toBe("gzip");
    expect(created.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(created.headers.vary).toBe("Origin, Accept-Encoding");
    expect(JSON.parse(gunzipSync(created.body).toString())).toEqual(tasks);

    const varied = await send("/varied", BROWSER);
    expect(varied.headers.vary).toBe("accept-encoding");
  });

  it("compresses from 1 KiB, counting bytes", async () => {
    expect((await send("/bytes/1023", BROWSER)).headers["content-encoding"]).toBeUndefined();
    const at = await send("/bytes/1024", BROWSER);
    expect(at.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(at.body).toString()).toBe("b".repeat(1024));
    // 800 characters, 1,600 bytes in UTF-8.
    const accented = await send("/accented", BROWSER);
    expect(accented.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(accented.body).toString()).toBe("é".repeat(800));
  });

  it("leaves answers already encoded, and those without a body, alone", async () => {
    const encoded = await send("/encoded", BROWSER);
    expect(encoded.headers["content-encoding"]).toBe("br");
    expect(encoded.body.toString()).toBe("already compressed".repeat(100));
    const notModified = await send("/not-modified", BROWSER);
    expect(notModified.status).toBe(304);
    expect(notModified.headers["content-encoding"]).toBeUndefined();
  });

  it("answers a body that fails to read with a complete problem, none of the file's headers", async () => {
    const failed = await send("/failing", BROWSER);
    expect(failed.status).toBe(500);
    expect(failed.headers["content-type"]).toBe("application/problem+json");
    expect(failed.headers["content-encoding"]).toBeUndefined();
    const length = failed.headers["content-length"];
    expect(length === undefined || Number(length) === failed.body.byteLength).toBe(true);
    expect(failed.headers["cache-control"]).toBeUndefined();
    expect(failed.headers["last-modified"]).toBeUndefined();
    expect(JSON.parse(failed.body.toString()).status).toBe(500);
  });

  it("follows the client's preferences: deflate, q=0, identity", async () => {
    const deflated = await send("/list", { "Accept-Encoding": "gzip;q=0.5, deflate" });
    expect(deflated.headers["content-encoding"]).toBe("deflate");
    expect(JSON.parse(inflateSync(deflated.body).toString())).toEqual(tasks);

    for (const refused of ["gzip;q=0, deflate;q=0", "identity"]) {
      const plain = await send("/list", { "Accept-Encoding": refused });
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(JSON.parse(plain.body.toString())).toEqual(tasks);
    }
    const none = await send("/list", {});
    expect(none.headers["content-encoding"]).toBeUndefined();
    expect(none.headers.vary).toBeUndefined();
  });

  it("leaves small answers, images, HEAD and event streams as they are", async () => {
    const small = await send("/small", BROWSER);
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(small.body.toString())).toEqual({ id: 1 });

    const image = await send("/image", BROWSER);
    expect(image.headers["content-encoding"]).toBeUndefined();
    expect(image.body.byteLength).toBe(4096);

    const head = await send("/list", BROWSER, "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-encoding"]).toBeUndefined();

    const events = await send("/events", BROWSER);
    expect(events.headers["content-encoding"]).toBeUndefined();
    expect(events.body.toString()).toContain("y".repeat(2000));
  });

  it("weakens a strong ETag it transforms, and transforms nothing marked no-transform", async () => {
    const tagged = await send("/tagged", BROWSER);
    expect(tagged.headers["content-encoding"]).toBe("gzip");
    expect(tagged.headers.etag).toBe('W/"7-2"');

    const kept = await send("/untransformed", BROWSER);
    expect(kept.headers["content-encoding"]).toBeUndefined();
    expect(kept.headers.etag).toBe('"7-2"');
    expect(JSON.parse(kept.body.toString())).toEqual(tasks);
  });

  it("compresses streamed bodies, files and large answers intact, with their new length", async () => {
    const streamed = await send("/streamed", BROWSER);
    expect(streamed.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(streamed.body).toString()).toBe("line of text\n".repeat(200));

    const small = await send("/streamed-small", BROWSER);
    expect(small.headers["content-encoding"]).toBeUndefined();
    expect(small.body.toString()).toBe("short");

    const file = await send("/file", BROWSER);
    expect(file.headers["content-encoding"]).toBe("gzip");
    expect(Number(file.headers["content-length"])).toBe(file.body.byteLength);
    expect(gunzipSync(file.body).toString()).toBe("file line\n".repeat(300));

    const large = await send("/large", BROWSER);
    expect(large.headers["content-encoding"]).toBe("gzip");
    expect(Number(large.headers["content-length"])).toBe(large.body.byteLength);
    expect(gunzipSync(large.body).toString()).toBe("x".repeat(LARGE));
  });

  it("reads a string body where the Node adapter keeps it, without building a fetch Response", async () => {
    // The adapter's lightweight Response is the global one once a listener exists (above).
    const answer = new Response('{"a":1}', { headers: { "Content-Type": "application/json" } });
    Object.defineProperty(answer, "arrayBuffer", {
      value: () => Promise.reject(new Error("the body was read the slow way")),
    });
    const { bytes, consumed } = await bodyOf(answer);
    expect(consumed).toBe(false);
    expect(Buffer.from(bytes).toString()).toBe('{"a":1}');
  });
});
