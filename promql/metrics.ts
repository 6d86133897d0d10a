/**
 * The metric contract: every metric the inference service exports, with its type, labels and
 * (for histograms) bucket boundaries, plus where Prometheus scrapes it.
 *
 * Every PromQL expression any construct writes is built through {@link PromQL} from this
 * contract, so a query can never name a metric, a series suffix or a label the service does not
 * export: the mistake surfaces at synth, not as a trigger that silently returns nothing.
 */
import { InvariantError } from "../problems/problem.js";

export type MetricType = "histogram" | "gauge" | "counter";

export interface MetricSpec {
  /** Prometheus metric family name, e.g. `http_request_duration_seconds`. */
  readonly name: string;
  readonly type: MetricType;
  /** Label names the application puts on the series (not the ones the scrape adds). */
  readonly labels: readonly string[];
  /** Histogram bucket upper bounds in the metric's unit, ascending. Histograms only. */
  readonly buckets?: readonly number[];
  readonly help?: string;
}

/**
 * What a service exports and where. Contract: every labelled series the queries read for the
 * scaling endpoint exists from start-up ({@link seriesToPreinitialise}); the queries hold without
 * it (an absent series reads as 0 while the targets are up), but the first error on each pod is
 * only counted when its series existed before it.
 */
export interface MetricContract {
  /** Container port number Prometheus scrapes. */
  readonly port: number;
  /** Name of that container/service port (what a ServiceMonitor endpoint selects). */
  readonly portName: string;
  /** HTTP path of the exposition endpoint. */
  readonly path: string;
  readonly metrics: readonly MetricSpec[];
}

/** Labels the scrape itself adds to every series (ServiceMonitor or kubernetes_sd pod job). */
export const SCRAPE_LABELS = ["job", "namespace", "pod", "service", "instance", "container", "endpoint"] as const;

export const DEFAULT_LATENCY_BUCKETS = [0.01, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 2, 5, 10, 30] as const;

/** The metrics the Python inference services in this domain export (prometheus_client). */
export const DEFAULT_METRICS: readonly MetricSpec[] = [
  {
    name: "http_request_duration_seconds",
    type: "histogram",
    labels: ["method", "endpoint", "status"],
    buckets: DEFAULT_LATENCY_BUCKETS,
    help: "HTTP request latency",
  },
  { name: "http_requests_in_flight", type: "gauge", labels: ["method", "endpoint"], help: "Requests being served" },
  { name: "http_requests_total", type: "counter", labels: ["method", "endpoint", "status"], help: "HTTP requests" },
  {
    name: "http_request_errors_total",
    type: "counter",
    labels: ["method", "endpoint", "status"],
    help: "HTTP requests answered with an error (5xx)",
  },
  {
    name: "inference_latency_seconds",
    type: "histogram",
    labels: ["model"],
    buckets: DEFAULT_LATENCY_BUCKETS,
    help: "Model forward-pass latency",
  },
  { name: "inference_queue_len", type: "gauge", labels: ["model"], help: "Requests waiting for a model worker" },
  {
    name: "inference_queue_wait_seconds",
    type: "histogram",
    labels: ["model"],
    buckets: DEFAULT_LATENCY_BUCKETS,
    help: "Time spent waiting in the queue",
  },
  { name: "inference_worker_utilization", type: "gauge", labels: ["model"], help: "Busy share of model workers (0-1)" },
];

/** One labelled series a service must export from start-up. */
export interface InitialSeries {
  readonly metric: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * The labelled series the service must create at start-up, before it serves anything. Python's
 * prometheus_client (like most clients) creates a labelled child only on its first use, so
 * without this a fresh pod exports no /predict series and no error counter: every query over
 * them is empty instead of 0 until the first request, and the first 5xx on each pod is invisible
 * to rate() (a series that appears at 1 has no earlier sample to rise from). With
 * prometheus_client, call `.labels(...)` once per entry at start-up, e.g.
 * `REQUESTS.labels("POST", "/predict", "500")`, `IN_FLIGHT.labels("POST", "/predict")`,
 * `QUEUE.labels(MODEL)`: the child exists at 0 from the first scrape.
 *
 * Values: `endpoint` is the scaling endpoint, `method` the method it is called with, `status`
 * 200 and 500 (only 500 on error counters), `model` / `model_name` the served model.
 */
export function seriesToPreinitialise(
  contract: MetricContract,
  endpoint: string,
  opts: { readonly method?: string; readonly model?: string } = {},
): InitialSeries[] {
  const value: Record<string, (m: MetricSpec) => readonly string[]> = {
    method: () => [opts.method ?? "POST"],
    endpoint: () => [endpoint],
    status: (m) => (/error/.test(m.name) ? ["500"] : ["200", "500"]),
    model: () => [opts.model ?? "default"],
    model_name: () => [opts.model ?? "default"],
  };
  const out: InitialSeries[] = [];
  for (const m of contract.metrics) {
    if (m.labels.length === 0 || !m.labels.every((l) => l in value)) continue;
    let combos: Record<string, string>[] = [{}];
    for (const l of m.labels) combos = combos.flatMap((c) => value[l]!(m).map((v) => ({ ...c, [l]: v })));
    out.push(...combos.map((labels) => ({ metric: m.name, labels })));
  }
  return out;
}

export const DEFAULT_CONTRACT: MetricContract = {
  port: 9090,
  portName: "metrics",
  path: "/metrics",
  metrics: DEFAULT_METRICS,
};

/** Which series of a metric family a selector reads. */
export type SeriesSuffix = "" | "_bucket" | "_sum" | "_count";

/** A label matcher value: plain string is `=`; the object forms are the other operators. */
export type MatcherValue = string | { readonly op: "=" | "!=" | "=~" | "!~"; readonly value: string };
export type Matchers = Readonly<Record<string, MatcherValue>>;

/** The labels a scrape puts on the service's series: queries scope themselves with these. */
export interface ScrapeScope {
  readonly namespace: string;
  readonly job: string;
}

/** What fixes a contract violation: queries built from what the contract exports. */
export const CONTRACT_FIX = "build queries from metrics, series and labels the service's contract exports (service.metrics)";

/** A query or rule asked the metric contract for something it does not export (or is malformed). */
export class ContractError extends InvariantError {
  constructor(message: string) {
    super(message, CONTRACT_FIX, "CONTRACT_VIOLATION");
  }
}

/**
 * What a label value escapes: most (names, namespaces, paths) have none, and are written as they are.
 * Control characters (a tab pasted after a gateway's service name) are escaped too: PromQL reads
 * `\t` and `\u0001` the way Go's strconv does, and a raw one is no valid JSON string escape.
 */
// eslint-disable-next-line no-control-regex -- control characters are what must be escaped
const ESCAPED = /[\\"\x00-\x1f]/;
const ESCAPED_ALL = new RegExp(ESCAPED.source, "g");
const ESCAPES: Readonly<Record<string, string>> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r" };

function escapeLabelValue(v: string): string {
  if (!ESCAPED.test(v)) return v;
  return v.replace(ESCAPED_ALL, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Renders `{a="x",b=~"y"}` with keys in a stable order (scope labels first, then sorted). */
export function renderMatchers(matchers: Matchers): string {
  // Every selector of every query is written here: one string, no intermediate lists.
  let text = "";
  const write = (k: string) => {
    const m = matchers[k]!;
    const matcher = typeof m === "string" ? `${k}="${escapeLabelValue(m)}"` : `${k}${m.op}"${escapeLabelValue(m.value)}"`;
    text = text === "" ? matcher : `${text},${matcher}`;
  };
  const keys = Object.keys(matchers);
  let rest = 0;
  let namespace = false;
  let job = false;
  for (const k of keys) {
    if (k === "namespace") namespace = true;
    else if (k === "job") job = true;
    else keys[rest++] = k;
  }
  keys.length = rest;
  if (namespace) write("namespace");
  if (job) write("job");
  for (let i = 1; i < keys.length; i++)
    if (!(keys[i - 1]! < keys[i]!)) {
      keys.sort();
      break;
    }
  for (const k of keys) write(k);
  return text === "" ? "" : `{${text}}`;
}

/** Formats a number the way PromQL and Prometheus `le` labels print it (`0.35`, `1`, `+Inf`). */
export function formatNumber(n: number): string {
  if (n === Infinity) return "+Inf";
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(12)));
}

const DURATION_UNIT_SECONDS: Readonly<Record<string, number>> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Seconds of a Prometheus duration (`30s`, `2m`, `1m30s`); undefined when malformed. */
export function parseDurationSeconds(d: unknown): number | undefined {
  if (typeof d !== "string" || d === "") return undefined;
  let total = 0;
  let rest = d;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * DURATION_UNIT_SECONDS[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** Seconds of a Prometheus duration; throws a ContractError naming the malformed value. */
export function durationSeconds(d: string): number {
  const seconds = parseDurationSeconds(d);
  if (seconds === undefined) throw new ContractError(`invalid Prometheus duration "${d}": use numbers with units, e.g. 30s, 2m, 1h`);
  return seconds;
}

/** Formats seconds as the shortest Prometheus duration (`120` → `2m`). */
export function formatDuration(seconds: number): string {
  for (const [unit, mult] of [
    ["d", 86400],
    ["h", 3600],
    ["m", 60],
  ] as const) {
    if (seconds >= mult && seconds % mult === 0) return `${seconds / mult}${unit}`;
  }
  return `${seconds}s`;
}

/**
 * A PromQL builder bound to one contract and one scrape scope. Every selector it emits names a
 * contract metric with a suffix its type has, and only labels the metric or the scrape carries;
 * every selector is scoped to the service's namespace and job unless asked otherwise.
 */
export class PromQL {
  private readonly byName: ReadonlyMap<string, MetricSpec>;
  private readonly seriesLabels = new Map<string, ReadonlySet<string>>();

  constructor(
    readonly contract: MetricContract,
    readonly scope: ScrapeScope,
  ) {
    this.byName = new Map(contract.metrics.map((m) => [m.name, m]));
  }

  metric(name: string): MetricSpec {
    const m = this.byName.get(name);
    if (!m) {
      throw new ContractError(
        `metric "${name}" is not in the service's metric contract (exported: ${[...this.byName.keys()].join(", ")}); ` +
          `add it to service.metrics or use an exported metric`,
      );
    }
    return m;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Bucket boundaries of a histogram metric. */
  buckets(name: string): readonly number[] {
    const m = this.metric(name);
    if (m.type !== "histogram" || !m.buckets) throw new ContractError(`metric "${name}" is a ${m.type}, not a histogram`);
    return m.buckets;
  }

  /** The scope matchers (`namespace`, `job`) every query starts from. */
  scopeMatchers(): Matchers {
    return { namespace: this.scope.namespace, job: this.scope.job };
  }

  /**
   * A series selector, e.g. `http_requests_total{namespace="x",job="y",endpoint="/predict"}`.
   * @param scoped add the namespace/job scope matchers (default true)
   */
  selector(name: string, suffix: SeriesSuffix = "", matchers: Matchers = {}, scoped = true): string {
    const m = this.metric(name);
    if (suffix !== "" && m.type !== "histogram") {
      throw new ContractError(`metric "${name}" is a ${m.type}; the "${suffix}" series exists only for histograms`);
    }
    if (suffix === "" && m.type === "histogram") {
      throw new ContractError(`metric "${name}" is a histogram; select its _bucket, _sum or _count series`);
    }
    const labels = Object.keys(matchers);
    const allowed = labels.length === 0 ? undefined : this.labelsOf(m, suffix);
    for (const label of labels) {
      if (!allowed!.has(label)) {
        throw new ContractError(
          `label "${label}" is not on ${name}${suffix} (its labels: ${[...allowed!].join(", ")}); match on one of those`,
        );
      }
    }
    return `${name}${suffix}${renderMatchers(scoped ? { ...this.scopeMatchers(), ...matchers } : matchers)}`;
  }

  /** The labels series `name${suffix}` carries: its own, the scrape's, and `le` on buckets (made once per series). */
  private labelsOf(m: MetricSpec, suffix: SeriesSuffix): ReadonlySet<string> {
    const key = `${m.name}${suffix}`;
    let allowed = this.seriesLabels.get(key);
    if (!allowed) {
      allowed = new Set<string>([...m.labels, ...SCRAPE_LABELS, ...(suffix === "_bucket" ? ["le"] : [])]);
      this.seriesLabels.set(key, allowed);
    }
    return allowed;
  }

  /** `rate(<selector>[window])`. */
  rate(name: string, suffix: SeriesSuffix, matchers: Matchers, window: string): string {
    const m = this.metric(name);
    if (m.type === "gauge") throw new ContractError(`rate() of gauge "${name}" is meaningless; use a counter or histogram`);
    durationSeconds(window);
    return `rate(${this.selector(name, suffix, matchers)}[${window}])`;
  }

  /**
   * `histogram_quantile(q, sum by (le, ...by) (rate(<name>_bucket{...}[window])))`.
   * `by` keeps extra labels beside `le`; without them the result is one series.
   */
  histogramQuantile(q: number, name: string, matchers: Matchers, window: string, by: readonly string[] = []): string {
    if (!(q > 0 && q < 1)) throw new ContractError(`quantile ${q} must be between 0 and 1`);
    this.buckets(name);
    const groups = ["le", ...by].join(", ");
    return `histogram_quantile(${formatNumber(q)}, sum by (${groups}) (${this.rate(name, "_bucket", matchers, window)}))`;
  }

  /**
   * The quantile only where requests were served:
   * `histogram_quantile(q, sum by (le, ...by) (rate(<bucket>[w]))) and on(...by) (sum by (...by) (rate(<count>[w])) > 0)`.
   * Without traffic in the window histogram_quantile answers NaN (0 / 0); this answers nothing
   * instead, so a NaN is never recorded, alerted on or handed to an autoscaler.
   */
  servedQuantile(q: number, name: string, matchers: Matchers, window: string, by: readonly string[] = []): string {
    const traffic = this.sumRate(name, "_count", matchers, window, by);
    return `${this.histogramQuantile(q, name, matchers, window, by)} and on(${by.join(", ")}) (${traffic} > 0)`;
  }

  /** `sum [by (...)] (<selector>)` for a gauge. */
  sumGauge(name: string, matchers: Matchers = {}, by: readonly string[] = []): string {
    const m = this.metric(name);
    if (m.type !== "gauge") throw new ContractError(`metric "${name}" is a ${m.type}; sumGauge needs a gauge`);
    const groupBy = by.length ? ` by (${by.join(", ")})` : "";
    return `sum${groupBy} (${this.selector(name, "", matchers)})`;
  }

  /** `sum [by (...)] (rate(<counter>[window]))`. */
  sumRate(name: string, suffix: SeriesSuffix, matchers: Matchers, window: string, by: readonly string[] = []): string {
    const groupBy = by.length ? ` by (${by.join(", ")})` : "";
    return `sum${groupBy} (${this.rate(name, suffix, matchers, window)})`;
  }
}
