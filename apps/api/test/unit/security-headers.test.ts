import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { streamSSE } from "hono/streaming";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/app-env";
import { securityHeaders, withSecurityHeaders } from "../../src/http/security-headers";
import { spaRoutes } from "../../src/web/serve-spa";

// The headers are set on the Node response (decision 050), so only real HTTP shows them: a
// node:http server around the same adapter as src/index.ts, with routes that answer in each way.

const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
const dist = mkdtempSync(join(tmpdir(), "security-headers-"));
writeFileSync(join(dist, "index.html"), "<!doctype html><title>Todo</title>");
writeFileSync(join(dist, "sw.js"), "self.addEventListener('fetch', () => {});");

let server: Server;
let base: string;

beforeAll(async () => {
  const app = new Hono<AppEnv>()
    .get("/api/etag", (c) => {
      c.header("ETag", '"1-1"');
      return c.req.header("If-None-Match") === '"1-1"' ? c.body(null, 304) : c.json({ id: 1 });
    })
    .get("/api/cookies", (c) => {
      setCookie(c, "a", "1");
      setCookie(c, "b", "2");
      return c.json({});
    })
    .get("/api/raw", () => new Response("raw", { headers: { "Content-Type": "text/plain" } }))
    .get("/api/events", (c) =>
      streamSSE(c, async (stream) => {
        await stream.writeSSE({ data: "hello" });
      }),
    );
  app.route("/", spaRoutes(dist));
  const listener = getRequestListener(app.fetch);
  server = createServer(withSecurityHeaders(listener, await securityHeaders({ https: false })));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dist, { recursive: true, force: true });
});

/** Status and raw header lines: a header sent twice shows twice (fetch would join them). */
function rawGet(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; lines: [string, string][] }>((resolve, reject) => {
    get(`${base}${path}`, { headers }, (response) => {
      response.resume();
      response.on("end", () => {
        const raw = response.rawHeaders;
        const lines: [string, string][] = [];
        for (let i = 0; i < raw.length; i += 2) {
          lines.push([(raw[i] ?? "").toLowerCase(), raw[i + 1] ?? ""]);
        }
        resolve({ status: response.statusCode ?? 0, lines });
      });
    }).on("error", reject);
  });
}

const valuesOf = (lines: [string, string][], name: string) =>
  lines.filter(([key]) => key === name).map(([, value]) => value);

describe("security headers on the Node response (decision 050)", () => {
  it("come from Hono's secureHeaders, with HSTS only for an https base URL", async () => {
    const plain = new Map(await securityHeaders({ https: false }));
    const https = new Map(await securityHeaders({ https: true }));
    expect(plain.get("content-security-policy")).toBe(API_POLICY);
    expect(plain.get("x-content-type-options")).toBe("nosniff");
    expect(plain.has("strict-transport-security")).toBe(false);
    expect(https.get("strict-transport-security")).toMatch(/^max-age=\d+/);
  });

  it.each([
    ["a JSON answer", "/api/etag", {}, 200],
    ["a 304", "/api/etag", { "If-None-Match": '"1-1"' }, 304],
    ["a Response built by hand", "/api/raw", {}, 200],
    ["an event stream", "/api/events", {}, 200],
  ])(
    "%s carries each header once, the API's policy among them",
    async (_, path, headers, status) => {
      const { status: got, lines } = await rawGet(path, headers);
      expect(got).toBe(status);
      for (const [name, value] of await securityHeaders({ https: false })) {
        expect(valuesOf(lines, name), name).toEqual([value]);
      }
    },
  );

  it("keeps every cookie the app sets", async () => {
    const { lines } = await rawGet("/api/cookies");
    expect(valuesOf(lines, "set-cookie").map((cookie) => cookie.split(";")[0])).toEqual([
      "a=1",
      "b=2",
    ]);
  });

  it.each([
    ["/", "worker-src 'self'"],
    ["/sw.js", "connect-src 'self'"],
  ])("the web app's %s sends its own policy, alone", async (path, directive) => {
    const { status, lines } = await rawGet(path);
    expect(status).toBe(200);
    const policies = valuesOf(lines, "content-security-policy");
    expect(policies).toHaveLength(1);
    expect(policies[0]).toContain(directive);
    expect(policies[0]).not.toBe(API_POLICY);
    expect(valuesOf(lines, "x-content-type-options")).toEqual(["nosniff"]);
  });
});
