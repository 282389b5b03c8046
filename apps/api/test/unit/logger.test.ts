import { Writable } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/observability/logger";

const prettifier = vi.hoisted(() => ({ loads: 0 }));
vi.mock("pino-pretty", async (importOriginal) => {
  prettifier.loads += 1;
  return importOriginal();
});

function sink() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

const development = { logLevel: "info", isProduction: false } as const;
/** What request-log.ts writes for one request. */
const requestFields = {
  reqId: "5f0c1d2e",
  req: { method: "GET", route: "/api/:user_id/tasks" },
  res: { status: 200 },
  responseTime: 3.2,
};

describe("createLogger", () => {
  it("loads pino-pretty for LOG_FORMAT=pretty only", async () => {
    const json = sink();
    (await createLogger({ ...development, logFormat: "json" }, json.stream)).info("hello");
    expect(json.lines).toHaveLength(1);
    expect(prettifier.loads).toBe(0);
    await createLogger({ ...development, logFormat: "pretty" }, sink().stream);
    expect(prettifier.loads).toBe(1);
  });

  it("json: one JSON object per line, credentials in headers redacted", async () => {
    const { stream, lines } = sink();
    const logger = await createLogger({ ...development, logFormat: "json" }, stream);
    logger.info(requestFields, "request");
    logger.warn({ req: { headers: { authorization: "Bearer secret-token" } } }, "odd request");
    const [request, odd] = lines.map((line) => JSON.parse(line));
    expect(request).toMatchObject({ level: 30, msg: "request", ...requestFields });
    expect(odd.req.headers.authorization).toBe("[Redacted]");
  });

  it("pretty: the request line as a person reads it, the error's message under it", async () => {
    const { stream, lines } = sink();
    const logger = await createLogger({ ...development, logFormat: "pretty" }, stream);
    logger.info(requestFields, "request");
    logger.info(
      { ...requestFields, res: { status: 401 }, err: { message: "Send a token." } },
      "request",
    );
    logger.info({ port: 3000 }, "listening");
    await vi.waitFor(() => expect(lines.length).toBeGreaterThanOrEqual(4));
    expect(lines[0]).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: GET \/api\/:user_id\/tasks 200 3\.2 ms \{"reqId":"5f0c1d2e"\}$/,
    );
    expect(lines[1]).toContain("INFO: GET /api/:user_id/tasks 401 3.2 ms");
    expect(lines[2]).toMatch(/^\s+err: Send a token\.$/);
    expect(lines[3]).toMatch(/INFO: listening \{"port":3000\}$/);
    for (const line of lines) expect(() => JSON.parse(line)).toThrow();
  });

  it("pretty in production: allowed, with a warning", async () => {
    const { stream, lines } = sink();
    await createLogger({ logLevel: "info", isProduction: true, logFormat: "pretty" }, stream);
    await vi.waitFor(() => expect(lines).toHaveLength(1));
    expect(lines[0]).toMatch(/WARN: LOG_FORMAT=pretty in production: log collectors expect JSON/);
  });
});
