import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type DatabaseHandle, DEFAULT_POOL_MAX, usePostgres } from "../../src/db/client";

/**
 * What the pool sends first, read by a listener that plays a Postgres server without TLS: the
 * connection string's settings must reach pg untouched (decision 030).
 */

/** The protocol's SSLRequest code (a length of 8, then 80877103). */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

let server: Server | undefined;
let handle: DatabaseHandle | undefined;
afterEach(async () => {
  await handle?.close().catch(() => {});
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
  handle = undefined;
});

/** A server that answers "no TLS here" to an SSLRequest and records the first packet. */
async function fakePostgres(): Promise<{ port: number; firstPacket: Promise<Buffer> }> {
  let record: (packet: Buffer) => void = () => {};
  const firstPacket = new Promise<Buffer>((resolve) => {
    record = resolve;
  });
  server = createServer((socket) => {
    socket.once("data", (chunk) => {
      record(chunk);
      if (chunk.subarray(0, 8).equals(SSL_REQUEST)) socket.write("N");
      else socket.destroy();
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, firstPacket };
}

describe("connection strings reach pg as written", () => {
  it.each(["require", "verify-full"])(
    "sslmode=%s asks for TLS first and never falls back to plain text",
    async (mode) => {
      const { port, firstPacket } = await fakePostgres();
      handle = usePostgres(`postgres://app@127.0.0.1:${port}/todo?sslmode=${mode}`);
      if (handle.kind !== "postgres") throw new Error("expected a pg pool");
      await expect(handle.pool.query("select 1")).rejects.toThrow(
        /server does not support SSL connections/,
      );
      expect((await firstPacket).subarray(0, 8)).toEqual(SSL_REQUEST);
    },
  );

  it("without sslmode it starts in plain text (a local or private-network database)", async () => {
    const { port, firstPacket } = await fakePostgres();
    handle = usePostgres(`postgres://app@127.0.0.1:${port}/todo`);
    if (handle.kind !== "postgres") throw new Error("expected a pg pool");
    await expect(handle.pool.query("select 1")).rejects.toThrow();
    // A StartupMessage: length, then protocol 3.0 (196608).
    expect((await firstPacket).readInt32BE(4)).toBe(196_608);
  });

  it("takes the pool size from DATABASE_POOL_MAX, 10 by default", () => {
    const url = "postgres://app@127.0.0.1:1/todo";
    const sizes = [usePostgres(url), usePostgres(url, { poolMax: 3 })].map((opened) => {
      if (opened.kind !== "postgres") throw new Error("expected a pg pool");
      void opened.close();
      return opened.pool.options.max;
    });
    expect(sizes).toEqual([DEFAULT_POOL_MAX, 3]);
    expect(DEFAULT_POOL_MAX).toBe(10);
  });

  it("runs migrations and start-up locks on DATABASE_DIRECT_URL when set", () => {
    const pooled = "postgres://app@pooler.internal:6432/todo";
    const direct = "postgres://app@db.internal:5432/todo";
    const [alone, withDirect] = [usePostgres(pooled), usePostgres(pooled, { directUrl: direct })];
    for (const opened of [alone, withDirect]) void opened.close();
    expect(alone.kind === "postgres" && alone.directUrl).toBe(pooled);
    expect(withDirect.kind === "postgres" && withDirect.directUrl).toBe(direct);
  });
});
