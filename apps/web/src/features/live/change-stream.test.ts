import { describe, expect, it } from "vitest";
import type { ChangeEvent } from "./change-event";
import { runChangeStream } from "./change-stream";

const frame = (seq: number) =>
  `id: ${seq}\nevent: task\ndata: ${JSON.stringify({ seq, task_id: 1, op: "update", version: seq, task: null, changed: [], at: "" })}\n\n`;

/** A finished event stream holding these frames (the server closed it, as at token expiry). */
const streamOf = (text: string) =>
  new Response(
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text));
        controller.close();
      },
    }),
    { status: 200, headers: { "Content-Type": "text/event-stream" } },
  );

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

interface Call {
  path: string;
  lastEventId: string | null;
  token: string;
}

/** Runs the stream against scripted answers until they run out, recording every request. */
async function run(answers: Response[], forced: boolean[] = []) {
  const controller = new AbortController();
  const calls: Call[] = [];
  const events: number[] = [];
  const resyncs: number[] = [];
  let lastSeq: number | null = null;
  let tokens = 0;
  await runChangeStream({
    userId: "u1",
    getToken: async (force) => {
      forced.push(force);
      tokens += 1;
      return `token-${tokens}`;
    },
    lastSeq: () => lastSeq,
    onEvents: (batch: ChangeEvent[]) => {
      for (const event of batch) events.push(event.seq);
      lastSeq = batch.at(-1)?.seq ?? lastSeq;
    },
    onResync: (bookmark) => {
      resyncs.push(bookmark);
      lastSeq = bookmark;
    },
    signal: controller.signal,
    sleep: async () => {},
    fetch: async (input, init) => {
      const headers = new Headers(init?.headers);
      calls.push({
        path: String(input),
        lastEventId: headers.get("Last-Event-ID"),
        token: headers.get("Authorization") ?? "",
      });
      const answer = answers.shift();
      if (!answer) {
        controller.abort();
        throw new DOMException("aborted", "AbortError");
      }
      return answer;
    },
  });
  return { calls, events, resyncs };
}

describe("runChangeStream", () => {
  it("starts from a bookmark, then resumes after the last event it got each time the stream ends", async () => {
    const { calls, events, resyncs } = await run([
      json(200, { events: [], next: 4, more: false }),
      streamOf(`retry: 1000\n\n${frame(5)}${frame(6)}`),
      streamOf(`: heartbeat\n\n${frame(7)}`),
    ]);
    expect(resyncs).toEqual([4]);
    expect(events).toEqual([5, 6, 7]);
    expect(calls.map((call) => [call.path, call.lastEventId])).toEqual([
      ["/api/u1/changes", null],
      ["/api/u1/events", "4"],
      ["/api/u1/events", "6"],
      ["/api/u1/events", "7"],
    ]);
  });

  it("takes a fresh bookmark (and reloads) on 410, and a new token after a 401", async () => {
    const forced: boolean[] = [];
    const { calls, resyncs } = await run(
      [
        json(200, { events: [], next: 2, more: false }),
        json(401, { status: 401 }),
        json(410, { status: 410 }),
        json(200, { events: [], next: 90, more: false }),
        streamOf(frame(91)),
      ],
      forced,
    );
    expect(resyncs).toEqual([2, 90]);
    expect(calls.map((call) => [call.path, call.lastEventId])).toEqual([
      ["/api/u1/changes", null],
      ["/api/u1/events", "2"],
      ["/api/u1/events", "2"],
      ["/api/u1/changes", null],
      ["/api/u1/events", "90"],
      ["/api/u1/events", "91"],
    ]);
    // The request after the 401 asked for a new token; the others took the cached one.
    expect(forced).toEqual([false, false, true, false, false, false]);
  });
});
