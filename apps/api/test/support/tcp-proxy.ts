import { connect, createServer, type Socket } from "node:net";

/**
 * - forward: bytes flow both ways.
 * - hang: every socket stays open and no byte moves in either direction; bytes are held and
 *   delivered on the return to forward, and new connections are accepted but not served, as with
 *   a database process stopped by SIGSTOP and resumed by SIGCONT.
 * - down: existing connections are reset and new ones reset at once, as with a stopped server.
 */
export type ProxyMode = "forward" | "hang" | "down";

export interface TcpProxy {
  port: number;
  /** `url` with its host and port replaced by the proxy's. */
  via(url: string): string;
  setMode(mode: ProxyMode): void;
  /**
   * Like a serverless database that scaled to zero: open connections are dropped; the next
   * connection wakes it, and connections wait (accepted, nothing answered) until it is up, `wakeMs`
   * later; then the proxy forwards again.
   */
  suspend(wakeMs: number): void;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream?: Socket;
  toUpstream: Buffer[];
  toClient: Buffer[];
}

/**
 * A TCP proxy on 127.0.0.1 in front of `target`, for outage tests that must not touch the shared
 * database server itself (stopping or signalling it would break everyone else's tests).
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = "forward";
  /** Set while suspended: how long the first new connection takes to wake the database. */
  let wakeAfterMs: number | undefined;
  let wakeTimer: NodeJS.Timeout | undefined;
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    pairs.delete(pair);
    pair.client.destroy();
    pair.upstream?.destroy();
  };

  const flush = (pair: Pair) => {
    const { upstream } = pair;
    if (!upstream) {
      openUpstream(pair);
      return;
    }
    if (upstream.connecting) return;
    for (const chunk of pair.toUpstream.splice(0)) upstream.write(chunk);
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  };

  const openUpstream = (pair: Pair) => {
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on("connect", () => {
      if (mode === "forward") flush(pair);
    });
    upstream.on("data", (chunk) => {
      if (mode === "forward") pair.client.write(chunk);
      else pair.toClient.push(chunk);
    });
    upstream.on("error", () => destroy(pair));
    upstream.on("close", () => destroy(pair));
  };

  const server = createServer((client) => {
    if (mode === "down") {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, toUpstream: [], toClient: [] };
    pairs.add(pair);
    if (wakeAfterMs !== undefined) {
      wakeTimer = setTimeout(() => setMode("forward"), wakeAfterMs);
      wakeAfterMs = undefined;
    }
    client.on("data", (chunk) => {
      if (mode === "forward" && pair.upstream && !pair.upstream.connecting) {
        pair.upstream.write(chunk);
      } else {
        pair.toUpstream.push(chunk);
      }
    });
    client.on("error", () => destroy(pair));
    client.on("close", () => destroy(pair));
    if (mode === "forward") openUpstream(pair);
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  const port = address.port;

  function setMode(next: ProxyMode) {
    mode = next;
    wakeAfterMs = undefined;
    clearTimeout(wakeTimer);
    if (next === "down") {
      for (const pair of pairs) {
        pairs.delete(pair);
        pair.client.resetAndDestroy();
        pair.upstream?.destroy();
      }
    } else if (next === "forward") {
      for (const pair of pairs) flush(pair);
    }
  }

  return {
    port,
    via: (url) => {
      const parsed = new URL(url);
      parsed.hostname = "127.0.0.1";
      parsed.port = String(port);
      return parsed.toString();
    },
    setMode,
    suspend: (wakeMs) => {
      setMode("down");
      mode = "hang";
      wakeAfterMs = wakeMs;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearTimeout(wakeTimer);
        for (const pair of pairs) destroy(pair);
        server.close(() => resolve());
      }),
  };
}
