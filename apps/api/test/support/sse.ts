/** One Server-Sent Events frame: a comment (`: …`) or a message with its fields. */
export interface SseFrame {
  comment?: string;
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
}

function parseFrame(block: string): SseFrame {
  const frame: SseFrame = {};
  for (const line of block.split("\n")) {
    if (line.startsWith(":")) {
      frame.comment = line.slice(1).trim();
      continue;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") frame.data = frame.data === undefined ? value : `${frame.data}\n${value}`;
    else if (field === "id" || field === "event" || field === "retry") frame[field] = value;
  }
  return frame;
}

/**
 * Reads an event stream (a fetch Response, over a socket or from `app.request`) in the
 * background, keeping every frame, so that a test can wait for what it expects.
 */
export function readSse(response: Response) {
  const body = response.body;
  if (!body) throw new Error("the response has no body");
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const frames: SseFrame[] = [];
  let waiters: (() => void)[] = [];
  let ended = false;
  const wake = () => {
    const current = waiters;
    waiters = [];
    for (const waiter of current) waiter();
  };
  const closed = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          frames.push(parseFrame(buffer.slice(0, end)));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
        wake();
      }
    } catch {
      // Cancelled or reset: the stream is over either way.
    } finally {
      ended = true;
      wake();
    }
  })();

  /** The task events so far, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: tests read event bodies loosely on purpose
  const events = (): any[] =>
    frames.filter((frame) => frame.event === "task").map((frame) => JSON.parse(frame.data ?? ""));

  /** Resolves once `check` holds for the frames so far; rejects after `timeoutMs`. */
  async function until(check: (frames: SseFrame[]) => boolean, timeoutMs = 5_000) {
    const deadline = Date.now() + timeoutMs;
    while (!check(frames)) {
      if (ended) throw new Error(`the stream ended first; frames: ${JSON.stringify(frames)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; frames: ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  return {
    frames,
    events,
    until,
    /** Waits until at least `count` task events have arrived. */
    untilEvents: (count: number, timeoutMs?: number) =>
      until(() => events().length >= count, timeoutMs),
    /** Resolves when the server ends the stream (or it is cancelled). */
    closed,
    isClosed: () => ended,
    cancel: () => reader.cancel().catch(() => {}),
  };
}
