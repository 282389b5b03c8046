/** One Server-Sent Events message (comments and `retry:` are left out). */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream, chunk by chunk, into messages, as the HTML standard reads it:
 * fields up to a blank line, `data:` lines joined by "\n", `:` lines ignored.
 */
export function createSseParser(onMessage: (message: SseMessage) => void) {
  let buffer = "";
  let id: string | undefined;
  let event = "";
  let data: string[] = [];

  function line(text: string) {
    if (text === "") {
      if (data.length > 0) onMessage({ id, event: event || "message", data: data.join("\n") });
      event = "";
      data = [];
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? "" : text.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
    else if (field === "id" && !value.includes("\0")) id = value;
  }

  return {
    push(chunk: string) {
      buffer += chunk;
      const lines = buffer.split(/\r\n|\r|\n/);
      buffer = lines.pop() ?? "";
      for (const text of lines) line(text);
    },
  };
}
