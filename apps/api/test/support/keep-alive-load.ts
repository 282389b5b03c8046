/**
 * Keep-alive load from Node's own fetch (undici), the well-behaved client the shutdown tests hold
 * the server to: `connections` workers each send one request after another, so undici keeps about
 * that many connections open and reuses them.
 */

export interface LoadResult {
  /** Requests answered with the expected status. */
  ok: number;
  /** Of those, the ones answered after `mark()` (for example, after SIGTERM). */
  okAfterMark: number;
  /** Of those, the ones whose response said `Connection: close`. */
  closing: number;
  /**
   * Requests whose connection was refused: the server no longer accepted connections, so the
   * request was never sent. A worker stops at its first refusal.
   */
  refused: number;
  /** Everything else: a reset, a socket closed under a sent request, an unexpected status. */
  failures: string[];
  /** Of the failures, the resets (`ECONNRESET`) after `mark()`. */
  resetsAfterMark: number;
}

export interface KeepAliveLoad {
  /** Requests answered so far. */
  answered(): number;
  mark(): void;
  /** Ends the workers after their current request. */
  stop(): void;
  done: Promise<LoadResult>;
}

function errorCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function startKeepAliveLoad(options: {
  url: string;
  headers: Record<string, string>;
  connections: number;
  expectStatus: number;
  /** A safety bound: no worker runs longer than this. */
  maxDurationMs: number;
}): KeepAliveLoad {
  const result: LoadResult = {
    ok: 0,
    okAfterMark: 0,
    closing: 0,
    refused: 0,
    failures: [],
    resetsAfterMark: 0,
  };
  let marked = false;
  let stopped = false;
  const deadline = Date.now() + options.maxDurationMs;

  const worker = async () => {
    while (!stopped && Date.now() < deadline) {
      try {
        const response = await fetch(options.url, { headers: options.headers });
        await response.arrayBuffer();
        if (response.status !== options.expectStatus) {
          result.failures.push(`status ${response.status}`);
          return;
        }
        result.ok++;
        if (marked) result.okAfterMark++;
        if (response.headers.get("connection")?.toLowerCase() === "close") result.closing++;
      } catch (error) {
        const code = errorCode(error);
        if (code === "ECONNREFUSED") result.refused++;
        else result.failures.push(code);
        if (code === "ECONNRESET" && marked) result.resetsAfterMark++;
        return;
      }
    }
  };

  const done = Promise.all(Array.from({ length: options.connections }, worker)).then(() => result);
  return {
    answered: () => result.ok,
    mark: () => {
      marked = true;
    },
    stop: () => {
      stopped = true;
    },
    done,
  };
}
