import autocannon from "autocannon";

/** One request of a workload: what autocannon sends next. */
export interface Step {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** Produces the next request of a workload (round-robin over users and tasks). */
export type NextStep = () => Step;

export interface Stats {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Answers outside 2xx (and 3xx). */
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  /** CPU time the server spent per answered request, in µs (when it was measured). */
  cpuUs?: number;
}

export interface LoadOptions {
  /** Scheme, host and port; every step's path is relative to it. */
  base: string;
  /** A workload of one step, or a sequence that each connection goes through in turn. */
  steps: NextStep[];
  connections: number;
  duration?: number;
  amount?: number;
  /** A fixed offered load over all connections (autocannon -R). */
  overallRate?: number;
  /** Reads the server's CPU time in ms, before and after the run. */
  cpuMs?: () => Promise<number>;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

const round2 = (value: number) => Math.round(value * 100) / 100;

export function summarise(latencies: number[]) {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    p50: round2(percentile(sorted, 50)),
    p95: round2(percentile(sorted, 95)),
    p99: round2(percentile(sorted, 99)),
    max: round2(sorted.at(-1) ?? Number.NaN),
  };
}

/** What one autocannon run measured, before summing up: runs can be merged. */
export interface Sample {
  latencies: number[];
  /** When each answer arrived, in ms (performance.now()), in order. */
  arrivals: number[];
  seconds: number;
  non2xx: number;
  errors: number;
  cpuMs?: number;
}

/**
 * How long a run took: until its last answer (autocannon's own finish waits for its next
 * one-second tick). A fixed-rate run offers its requests over amount / rate seconds at least:
 * autocannon sends each second's share back to back at the start of the second, so a server that
 * keeps up answers the last share early in the last second.
 */
function secondsOf(
  options: LoadOptions,
  started: number,
  arrivals: number[],
  result: autocannon.Result,
): number {
  const last = arrivals.at(-1);
  const seconds =
    last === undefined
      ? (result.finish.getTime() - result.start.getTime()) / 1000
      : (last - started) / 1000;
  if (options.overallRate === undefined || options.amount === undefined) return seconds;
  return Math.max(seconds, options.amount / options.overallRate);
}

/** One autocannon run; every response's latency is kept, so the percentiles are exact. */
export async function sample(options: LoadOptions): Promise<Sample> {
  const latencies: number[] = [];
  const arrivals: number[] = [];
  const cpuBefore = await options.cpuMs?.();
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.base,
        connections: options.connections,
        ...(options.amount === undefined
          ? { duration: options.duration ?? 5 }
          : { amount: options.amount }),
        ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
        requests: options.steps.map((next) => ({
          setupRequest: (request: autocannon.Request) => {
            const step = next();
            // A copy: autocannon writes Content-Length into the headers object it is given, and
            // a user's headers are shared by requests with and without a body.
            return { ...request, ...step, headers: { ...step.headers } };
          },
        })),
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on("response", (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
      arrivals.push(performance.now());
    });
  });
  const cpuAfter = await options.cpuMs?.();
  return {
    latencies,
    arrivals,
    seconds: secondsOf(options, started, arrivals, result),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    ...(cpuBefore === undefined || cpuAfter === undefined ? {} : { cpuMs: cpuAfter - cpuBefore }),
  };
}

/**
 * Answers per second while the load was steady: between the arrival of the 10th and the 90th
 * percent of the answers, leaving out connections opening at the start and the tail at the end,
 * when the last connections finish their share alone.
 */
function steady(sample: Sample): { answers: number; seconds: number } {
  const { arrivals } = sample;
  const from = arrivals[Math.floor(arrivals.length * 0.1)];
  const to = arrivals[Math.floor(arrivals.length * 0.9)];
  if (arrivals.length < 20 || from === undefined || to === undefined || to <= from) {
    return { answers: arrivals.length, seconds: sample.seconds };
  }
  return {
    answers: Math.floor(arrivals.length * 0.9) - Math.floor(arrivals.length * 0.1),
    seconds: (to - from) / 1000,
  };
}

/**
 * Sums samples up: answers per second (while steady, for closed-loop runs; over the whole run for
 * fixed-rate ones, whose answers come in bursts), and percentiles over every answer.
 */
export function statsOf(samples: Sample[], options: { fixedRate?: boolean } = {}): Stats {
  const latencies = samples.flatMap((each) => each.latencies);
  const windows = samples.map((each) =>
    options.fixedRate ? { answers: each.latencies.length, seconds: each.seconds } : steady(each),
  );
  const answers = windows.reduce((sum, each) => sum + each.answers, 0);
  const seconds = windows.reduce((sum, each) => sum + each.seconds, 0);
  const cpuMs = samples.every((each) => each.cpuMs !== undefined)
    ? samples.reduce((sum, each) => sum + (each.cpuMs ?? 0), 0)
    : undefined;
  return {
    requests: latencies.length,
    rps: seconds > 0 ? Math.round(answers / seconds) : 0,
    ...summarise(latencies),
    non2xx: samples.reduce((sum, each) => sum + each.non2xx, 0),
    errors: samples.reduce((sum, each) => sum + each.errors, 0),
    ...(cpuMs === undefined || latencies.length === 0
      ? {}
      : { cpuUs: Math.round((cpuMs * 1000) / latencies.length) }),
  };
}

export async function load(options: LoadOptions): Promise<Stats> {
  return statsOf([await sample(options)]);
}

/**
 * Alternates requests to a few URLs one at a time, so that each sees the same background noise:
 * the fair way to compare them on a shared 2-core machine. Stops after `rounds`, or sooner when
 * `maxSeconds` have passed (with at least 20 rounds).
 */
export async function interleaved(
  cases: { url: string; headers: Record<string, string> }[],
  rounds: number,
  maxSeconds: number,
): Promise<(Stats & { statuses: number[] })[]> {
  const latencies = cases.map(() => [] as number[]);
  const failures = cases.map(() => 0);
  const statuses = cases.map(() => new Set<number>());
  const deadline = Date.now() + maxSeconds * 1000;
  for (let round = 0; round < rounds && (round < 20 || Date.now() < deadline); round += 1) {
    for (const [index, { url, headers }] of cases.entries()) {
      const start = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      latencies[index]?.push(performance.now() - start);
      statuses[index]?.add(response.status);
      if (response.status >= 300) failures[index] = (failures[index] ?? 0) + 1;
    }
  }
  return cases.map((_, index) => {
    const list = latencies[index] ?? [];
    const codes = [...(statuses[index] ?? [])];
    const mean = list.reduce((sum, value) => sum + value, 0) / list.length;
    return {
      requests: list.length,
      rps: Math.round(1000 / mean),
      ...summarise(list),
      non2xx: failures[index] ?? 0,
      errors: 0,
      statuses: codes,
    };
  });
}

/** Round-robin over a list, for steps that spread their requests over users and tasks. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error("cycle() needs at least one item");
  let index = 0;
  return () => {
    const item = items[index % items.length] as T;
    index += 1;
    return item;
  };
}
