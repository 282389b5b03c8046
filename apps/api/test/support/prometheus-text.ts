/**
 * A strict reader of Prometheus's text exposition format (version 0.0.4), for tests that check what
 * /metrics serves. Strict where a scraper is: every sample belongs to a family announced by
 * `# TYPE` before it, names and labels follow the grammar, values are numbers, a histogram's
 * buckets are cumulative and end in `+Inf` equal to its `_count`. Throws on the first violation.
 *
 * Written here because the one parser on npm (parse-prometheus-text-format) merges every series
 * of a labelled histogram into one.
 */

export interface Sample {
  /** The sample's own name: `x`, or `x_bucket`, `x_sum`, `x_count` for a histogram. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: "counter" | "gauge" | "histogram" | "summary" | "untyped";
  help: string;
  samples: Sample[];
}

export interface HistogramSeries {
  labels: Record<string, string>;
  /** Upper bound (as written, `+Inf` last) and cumulative count, in order. */
  buckets: [string, number][];
  sum: number;
  count: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
/** Go's ParseFloat, which Prometheus uses: special names in any case (prom-client writes `Nan`). */
const VALUE = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$|^[+-]?inf$|^nan$/i;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<MetricFamily["type"], string[]> = {
  counter: [""],
  gauge: [""],
  untyped: [""],
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["", "_sum", "_count"],
};

class FormatError extends Error {
  constructor(line: number, text: string, why: string) {
    super(`metrics line ${line}: ${why}: ${JSON.stringify(text)}`);
  }
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) fail("malformed labels");
    const [, key = "", raw = ""] = match;
    if (key in labels) fail(`label ${key} repeated`);
    labels[key] = raw.replace(/\\(.)/g, (_, char: string) => (char === "n" ? "\n" : char));
  }
  return labels;
}

function parseValue(text: string, fail: (why: string) => never): number {
  if (!VALUE.test(text)) fail("not a number");
  const lower = text.toLowerCase();
  if (lower.endsWith("inf")) return lower.startsWith("-") ? -Infinity : Infinity;
  return lower === "nan" ? Number.NaN : Number(text);
}

/** Every family of a /metrics answer, by name. */
export function parseMetrics(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const lines = text.split("\n");
  if (lines.at(-1) !== "") throw new Error("metrics text must end with a line feed");
  lines.forEach((line, index) => {
    const fail: (why: string) => never = (why) => {
      throw new FormatError(index + 1, line, why);
    };
    if (line === "") return;
    if (line.startsWith("#")) {
      const [, keyword, name = "", ...rest] = line.split(" ");
      if (keyword !== "HELP" && keyword !== "TYPE") return;
      if (!NAME.test(name)) fail("bad metric name");
      const family = families.get(name) ?? { name, type: "untyped", help: "", samples: [] };
      if (family.samples.length > 0) fail(`${keyword} after the family's samples`);
      if (keyword === "HELP") family.help = rest.join(" ");
      else if (rest.length !== 1 || !TYPES.has(rest[0] ?? "")) fail("unknown type");
      else family.type = rest[0] as MetricFamily["type"];
      families.set(name, family);
      return;
    }
    const match = SAMPLE.exec(line) ?? fail("not a sample");
    const [, name = "", labelText = "", valueText = ""] = match;
    const family = [...families.values()].find((candidate) =>
      SUFFIXES[candidate.type].some((suffix) => `${candidate.name}${suffix}` === name),
    );
    if (!family) fail("a sample of no announced family");
    family.samples.push({
      name,
      labels: parseLabels(labelText, fail),
      value: parseValue(valueText, fail),
    });
  });
  for (const family of families.values()) {
    if (family.type === "histogram") histogramSeries(family);
  }
  return families;
}

const withoutLe = (labels: Record<string, string>) =>
  JSON.stringify(Object.entries(labels).filter(([key]) => key !== "le"));

/** A histogram's series (one per label set), each checked: cumulative, `+Inf` = `_count`. */
export function histogramSeries(family: MetricFamily): HistogramSeries[] {
  if (family.type !== "histogram") throw new Error(`${family.name} is not a histogram`);
  const series = new Map<string, HistogramSeries>();
  for (const sample of family.samples) {
    const key = withoutLe(sample.labels);
    const { le, ...labels } = sample.labels;
    const entry = series.get(key) ?? { labels, buckets: [], sum: Number.NaN, count: Number.NaN };
    series.set(key, entry);
    if (sample.name.endsWith("_bucket")) {
      if (le === undefined) throw new Error(`${family.name}: a bucket without le`);
      entry.buckets.push([le, sample.value]);
    } else if (sample.name.endsWith("_sum")) entry.sum = sample.value;
    else entry.count = sample.value;
  }
  for (const entry of series.values()) {
    const counts = entry.buckets.map(([, count]) => count);
    const [lastLe, lastCount] = entry.buckets.at(-1) ?? [];
    const where = `${family.name}${JSON.stringify(entry.labels)}`;
    if (counts.some((count, i) => i > 0 && count < (counts[i - 1] ?? 0)))
      throw new Error(`${where}: buckets are not cumulative`);
    if (lastLe !== "+Inf" || lastCount !== entry.count)
      throw new Error(`${where}: the +Inf bucket is missing or differs from _count`);
    if (Number.isNaN(entry.sum)) throw new Error(`${where}: no _sum`);
  }
  return [...series.values()];
}

/** The samples of a family whose labels include `labels`. */
export function samplesOf(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return (families.get(name)?.samples ?? []).filter((sample) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}
