import { describe, expect, it } from "vitest";
import { createSseParser, type SseMessage } from "./sse-parser";

function parse(chunks: string[]): SseMessage[] {
  const messages: SseMessage[] = [];
  const parser = createSseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return messages;
}

describe("createSseParser", () => {
  it("reads id, event and data, whatever the chunk boundaries", () => {
    const stream =
      'retry: 1000\n\nid: 7\nevent: task\ndata: {"seq":7}\n\n: heartbeat\n\nid: 8\nevent: task\ndata: {"seq":8}\n\n';
    const expected = [
      { id: "7", event: "task", data: '{"seq":7}' },
      { id: "8", event: "task", data: '{"seq":8}' },
    ];
    expect(parse([stream])).toEqual(expected);
    expect(parse(stream.split(""))).toEqual(expected);
    expect(parse([stream.slice(0, 20), stream.slice(20, 41), stream.slice(41)])).toEqual(expected);
  });

  it("joins data lines, accepts CRLF, and keeps a message unsent until its blank line", () => {
    expect(parse(["data: a\r\ndata: b\r\n\r\n", "data: c\n"])).toEqual([
      { id: undefined, event: "message", data: "a\nb" },
    ]);
  });
});
