import cluster from "node:cluster";
import { AggregatorRegistry, type Registry } from "prom-client";

// With WEB_CONCURRENCY > 1 every worker counts its own requests, and a scrape reaches whichever
// worker the primary hands the connection to. So the worker that is scraped asks the primary,
// which gathers every worker's registry through prom-client's AggregatorRegistry (its own IPC
// messages) and sends back the sum (decision 032).

const REQUEST = "todo:metrics-request";
const REPLY = "todo:metrics-reply";
/** Longer than prom-client's own wait for the workers (5 s), so that its error arrives first. */
const REPLY_TIMEOUT_MS = 6_000;

interface Request {
  type: typeof REQUEST;
  id: number;
}
type Reply = { type: typeof REPLY; id: number } & ({ text: string } | { error: string });

const isMessage = <T extends { type: string }>(message: unknown, type: T["type"]): message is T =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type;

/** In the primary: answers a worker's request with the metrics of every worker, aggregated. */
export function answerMetricsRequests(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on("message", (worker, message: unknown) => {
    if (!isMessage<Request>(message, REQUEST)) return;
    const reply = (fields: { text: string } | { error: string }) => {
      if (worker.isConnected()) worker.send({ type: REPLY, id: message.id, ...fields });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (error: Error) => reply({ error: error.message }),
    );
  });
}

/**
 * In a worker: hands `registry` to prom-client's aggregation, and returns how to get the whole
 * server's metrics from the primary.
 */
export function joinClusterMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's listener that answers the primary's requests.
  new AggregatorRegistry();
  const waiting = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  process.on("message", (message: unknown) => {
    if (isMessage<Reply>(message, REPLY)) waiting.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error("the primary did not send the workers' metrics in time"));
      }, REPLY_TIMEOUT_MS);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        if ("text" in reply) resolve(reply.text);
        else reject(new Error(`the workers' metrics could not be gathered: ${reply.error}`));
      });
      process.send?.({ type: REQUEST, id } satisfies Request);
    });
}
