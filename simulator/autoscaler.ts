/**
 * From the autoscaler object synth renders to the HorizontalPodAutoscaler spec the controller
 * actually runs, plus what each metric reads in the simulated service.
 *
 * - `autoscaling/v2` HorizontalPodAutoscaler: its spec as is; Pods/External metrics are the names
 *   prometheus-adapter serves (promql/custom-metrics.ts).
 * - `keda.sh/v1alpha1` ScaledObject: the HPA KEDA creates (keda-hpa-notes.md): min =
 *   minReplicaCount if > 0 else 1, max = maxReplicaCount (default 100), behavior copied from
 *   advanced.horizontalPodAutoscalerConfig.behavior, each prometheus trigger an External metric
 *   `s<i>-prometheus` with an AverageValue (default) or Value target of int64(threshold × 1000)
 *   milli-units, cpu/memory triggers Resource metrics, cron triggers External metrics (AverageValue
 *   1, value desiredReplicas inside the window, 0 outside) read from the simulated clock; plus what the KEDA
 *   operator and metrics server add: activation, pollingInterval, cooldown, fallback.
 *
 * Which simulated signal a Prometheus query reads is derived from the query itself, parsed with
 * the official grammar: `histogram_quantile(q, … http_request_duration_seconds_bucket[w] …)` is the
 * q-quantile of request latency over w; `sum|avg|max|min(inference_queue_len | http_requests_in_flight
 * | inference_worker_utilization)` a gauge over the pods; `sum(rate(http_requests_total[w]))` the
 * request rate; `sum(max_over_time(<gauge>[w]))` the gauge's peak over w (the burst trigger); a
 * rate() of the env's declared wake-up counter (`scaling.wakeUp`) the requests arriving at the
 * gateway, served or not. Anything else is refused with the list of what the simulator can model.
 */
import { problem, UserError } from "../problems/problem.js";
import { parser } from "@prometheus-io/lezer-promql";
import { durationSeconds } from "../promql/metrics.js";
import { CUSTOM_METRICS } from "../promql/custom-metrics.js";
import { assertParses, resultGrouping, selectors } from "../promql/parse.js";
import { kedaHpaName } from "../scaling/autoscaler-common.js";
import { burstWindowSeconds, type EnvConfig } from "../stacks/config.js";
import { parseCron } from "./cron.js";
import type { HorizontalPodAutoscalerBehavior, HpaSpec, MetricSpec, MetricTarget } from "./hpa/types.js";
import type { LooseObject } from "../kube/loose-json.js";

/** A value the simulated service produces that a metric reads. */
export type Signal =
  /** CPU usage per pod (metrics-server). */
  | { readonly kind: "cpu" }
  /** Memory usage per pod (metrics-server). */
  | { readonly kind: "memory" }
  /** The q-quantile of request latency over a rate window, seconds. */
  | { readonly kind: "latency-quantile"; readonly quantile: number; readonly windowSeconds: number }
  /** A per-pod gauge, aggregated over the ready pods. */
  | { readonly kind: "gauge"; readonly gauge: GaugeName; readonly aggregation: Aggregation }
  /** Requests per second over a rate window (summed over pods, or aggregated). */
  | { readonly kind: "request-rate"; readonly windowSeconds: number; readonly aggregation: Aggregation; readonly increase: boolean }
  /** A gauge's peak over a short window, summed over the pods (the burst trigger). */
  | { readonly kind: "gauge-peak"; readonly gauge: GaugeName; readonly windowSeconds: number; readonly aggregation: "sum" | "avg" }
  /** Requests arriving at the gateway in front of the service, served or not (the wake-up trigger). */
  | { readonly kind: "offered-rate"; readonly windowSeconds: number }
  /** KEDA's cron scaler: desiredReplicas inside the window, 0 outside (KEDA ≥ 2.18; target AverageValue 1). */
  | { readonly kind: "cron"; readonly start: string; readonly end: string; readonly timezone: string; readonly desiredReplicas: number };

export type GaugeName = "queue" | "in-flight" | "worker-utilization";
export type Aggregation = "sum" | "avg" | "max" | "min";

/** One metric of the HPA, with where its value comes from. */
export interface SimMetric {
  readonly index: number;
  /** The autoscaling/v2 MetricSpec the HPA controller evaluates. */
  readonly spec: MetricSpec;
  /** Human name, e.g. `p95 latency (s)`. */
  readonly label: string;
  /** CSV column name, e.g. `m0_p95_latency_s`. */
  readonly column: string;
  readonly signal: Signal;
  /**
   * `pod`: the HPA reads one value per pod (Resource, Pods); `service`: one value (External, Object).
   */
  readonly scope: "pod" | "service";
  /** `prometheus`: errors while Prometheus is down; `metrics-server`: keeps working; `clock`: KEDA's cron scaler. */
  readonly source: "prometheus" | "metrics-server" | "clock";
  /** Who answers the HPA's metric request. */
  readonly servedBy: "metrics-server" | "prometheus-adapter" | "keda";
  /** Set for metrics that come from a KEDA trigger. */
  readonly trigger: SimTrigger | null;
}

/** What the simulator models of a KEDA trigger (constructs/keda-scaled-object.ts KedaTrigger is the construct's prop). */
export interface SimTrigger {
  readonly index: number;
  readonly type: string;
  readonly name: string | undefined;
  /** activationThreshold (prometheus), or activation value; 0 when unset. */
  readonly activationThreshold: number;
  /** The metrics server returns the value cached at the last poll instead of querying live. */
  readonly useCachedMetrics: boolean;
  /** ignoreNullValues (prometheus, default true): an empty result is 0 instead of an error. */
  readonly ignoreNullValues: boolean;
  /** The query answers 0 when the service has no scrape target at all (`… or on() (vector(0) unless on() count(up{…}))`). */
  readonly zeroWithoutTargets?: boolean;
}

export type FallbackBehavior = "static" | "currentReplicas" | "currentReplicasIfHigher" | "currentReplicasIfLower";

export interface KedaSettings {
  readonly pollingIntervalSeconds: number;
  readonly cooldownPeriodSeconds: number;
  readonly initialCooldownPeriodSeconds: number;
  readonly minReplicaCount: number;
  readonly maxReplicaCount: number;
  readonly idleReplicaCount: number | undefined;
  readonly fallback: { readonly failureThreshold: number; readonly replicas: number; readonly behavior: FallbackBehavior } | null;
}

/** What the simulator runs for one autoscaler object. */
export interface AutoscalerModel {
  readonly kind: "HorizontalPodAutoscaler" | "ScaledObject";
  /** The rendered object's name. */
  readonly name: string;
  /** The HPA that runs: the object itself, or `keda-hpa-<name>`. */
  readonly hpaName: string;
  readonly hpa: HpaSpec;
  readonly metrics: readonly SimMetric[];
  readonly keda: KedaSettings | null;
}

/** The rendered autoscaler cannot be simulated; names the object, the field and the fix. */
export class AutoscalerModelError extends UserError {
  constructor(resource: string, field: string, message: string, fix: string) {
    super(
      [problem({ code: "SIMULATION_UNSUPPORTED", resource, path: field, message, fix })],
      `${resource}: ${field}: ${message}. Fix: ${fix}`,
    );
  }
}

type Obj = LooseObject;

const SUPPORTED_QUERIES =
  "histogram_quantile(q, sum by (le) (rate(http_request_duration_seconds_bucket[w]))), " +
  "sum|avg|max|min(inference_queue_len | http_requests_in_flight | inference_worker_utilization), sum(max_over_time(<gauge>[w])), sum(rate(http_requests_total[w])), sum(rate(<scaling.wakeUp counter>[w]))";

/** The guard stacks/scaling-signals.ts adds where the service may sit at zero: 0 without any target. */
export function answersZeroWithoutTargets(query: string): boolean {
  return /or on\(\) \(vector\(0\) unless on\(\) count\(up\{/.test(query);
}

// ------------------------------------------------------------------ PromQL -> signal

type SyntaxNode = NonNullable<ReturnType<typeof parser.parse>["topNode"]["firstChild"]>;

const isExpr = (n: SyntaxNode) => /Expr$|Selector$|Literal$|^FunctionCall$/.test(n.name);

/** The expression inside any parentheses around `n`. */
function unparen(n: SyntaxNode | null): SyntaxNode | null {
  while (n && n.name === "ParenExpr") {
    let c = n.firstChild;
    while (c && !isExpr(c)) c = c.nextSibling;
    n = c;
  }
  return n;
}

/** The outermost expression, through parentheses. */
function topExpr(query: string): SyntaxNode | null {
  return unparen(parser.parse(query).topNode.firstChild);
}

const SET_OPERATORS = new Set(["And", "Or", "Unless"]);

/**
 * The operand that carries the value of a query guarded with set operators, e.g. the quantile in
 * `(histogram_quantile(…) and on() (traffic > 0) or on() (sum (up) * 0)) and on() (sum (up) > 0)`:
 * the leftmost operand of an and/or/unless chain. The guards only decide between that value, 0 and
 * no result, which the simulated Prometheus answers the same way (no requests in the window or
 * nothing exported yet while scraped: 0; scrape lost: nothing).
 */
export function primaryOperand(query: string): string {
  let n = topExpr(query);
  while (n && n.name === "BinaryExpr") {
    let op: string | undefined;
    for (let c = n.firstChild; c; c = c.nextSibling) if (SET_OPERATORS.has(c.name)) op = c.name;
    if (!op) break;
    n = unparen(n.firstChild);
  }
  return n ? query.slice(n.from, n.to) : query;
}

/** What a Prometheus query measures in the simulated service. Throws a plain Error naming the problem. */
export function signalOfQuery(fullQuery: string, wakeUpMetric?: string): Signal {
  assertParses(fullQuery);
  const query = primaryOperand(fullQuery);
  const grouping = resultGrouping(query);
  if (grouping === undefined || grouping.length > 0) {
    throw new Error(
      `the query returns ${grouping === undefined ? "one series per pod" : `one series per ${grouping.join(", ")}`}, not one value`,
    );
  }
  const sels = selectors(query);
  const metrics = [...new Set(sels.map((s) => s.metric))];
  if (metrics.length !== 1 || metrics[0] === undefined) {
    throw new Error(`the query reads ${metrics.length} metrics; the simulator models queries of one metric: ${SUPPORTED_QUERIES}`);
  }
  const metric = metrics[0];
  const top = topExpr(query);
  const text = (n: { from: number; to: number }) => query.slice(n.from, n.to);
  if (metric === "http_request_duration_seconds_bucket") {
    if (top?.name !== "FunctionCall" || !/^histogram_quantile\b/.test(text(top))) {
      throw new Error(`http_request_duration_seconds_bucket is modelled only under histogram_quantile(); supported: ${SUPPORTED_QUERIES}`);
    }
    const m = /^histogram_quantile\s*\(\s*([0-9.eE+-]+)\s*,/.exec(text(top));
    const q = m ? Number(m[1]) : NaN;
    if (!(q > 0 && q < 1)) throw new Error(`the quantile of histogram_quantile() must be a number between 0 and 1`);
    const w = sels[0]!.rangeSeconds;
    if (w === undefined) throw new Error(`the histogram is read without a rate window`);
    return { kind: "latency-quantile", quantile: q, windowSeconds: w };
  }
  const agg = top?.name === "AggregateExpr" ? (/^(sum|avg|max|min)\b/.exec(text(top))?.[1] as Aggregation | undefined) : undefined;
  const gauges: Record<string, GaugeName> = {
    inference_queue_len: "queue",
    http_requests_in_flight: "in-flight",
    inference_worker_utilization: "worker-utilization",
  };
  const gauge = gauges[metric];
  if (gauge && agg === "sum" && sels[0]!.rangeFunction === "max_over_time" && sels[0]!.rangeSeconds !== undefined) {
    return { kind: "gauge-peak", gauge, windowSeconds: sels[0]!.rangeSeconds, aggregation: "sum" };
  }
  if (metric === wakeUpMetric) {
    const s = sels[0]!;
    if (agg !== "sum" || s.rangeFunction !== "rate" || s.rangeSeconds === undefined)
      throw new Error(`the wake-up counter ${metric} is modelled as sum(rate(${metric}[w]))`);
    return { kind: "offered-rate", windowSeconds: s.rangeSeconds };
  }
  if (gauge) {
    if (!agg) throw new Error(`${metric} must be aggregated with sum, avg, max or min`);
    if (sels[0]!.rangeSeconds !== undefined)
      throw new Error(`${metric} is a gauge read over a range; the simulator models its instant value`);
    return { kind: "gauge", gauge, aggregation: agg };
  }
  if (metric === "http_requests_total") {
    const s = sels[0]!;
    if (
      !agg ||
      s.rangeSeconds === undefined ||
      (s.rangeFunction !== "rate" && s.rangeFunction !== "irate" && s.rangeFunction !== "increase")
    ) {
      throw new Error(`http_requests_total is modelled as sum|avg|max|min(rate(http_requests_total[w]))`);
    }
    return { kind: "request-rate", windowSeconds: s.rangeSeconds, aggregation: agg, increase: s.rangeFunction === "increase" };
  }
  throw new Error(`the simulator does not model metric ${metric}; supported: ${SUPPORTED_QUERIES}`);
}

// ------------------------------------------------------------------ labels

function signalLabel(s: Signal): { label: string; column: string } {
  switch (s.kind) {
    case "cpu":
      return { label: "CPU utilization (%)", column: "cpu_utilization_pct" };
    case "memory":
      return { label: "memory utilization (%)", column: "memory_utilization_pct" };
    case "latency-quantile": {
      const p = `p${Number((s.quantile * 100).toPrecision(6))}`;
      return { label: `${p} latency (s)`, column: `${p}_latency_s` };
    }
    case "gauge": {
      const name = s.gauge === "queue" ? "queue length" : s.gauge === "in-flight" ? "requests in flight" : "worker utilization";
      return { label: `${s.aggregation} ${name}`, column: `${s.aggregation}_${s.gauge.replace(/-/g, "_")}` };
    }
    case "request-rate":
      return { label: `${s.aggregation} request rate (req/s)`, column: `${s.aggregation}_request_rate` };
    case "gauge-peak":
      return { label: `sum of the ${s.windowSeconds}s peak of ${s.gauge}`, column: `peak_${s.gauge.replace(/-/g, "_")}` };
    case "offered-rate":
      return { label: "gateway request rate (req/s)", column: "gateway_request_rate" };
    case "cron":
      return { label: `cron "${s.start}" – "${s.end}" (${s.timezone}) → ${s.desiredReplicas} replicas`, column: "cron_replicas" };
  }
}

function sim(
  index: number,
  spec: MetricSpec,
  signal: Signal,
  scope: "pod" | "service",
  servedBy: SimMetric["servedBy"],
  trigger: SimTrigger | null,
): SimMetric {
  const { label, column } = signalLabel(signal);
  return {
    index,
    spec,
    label,
    column: `m${index}_${column}`,
    signal,
    scope,
    source: signal.kind === "cron" ? "clock" : servedBy === "metrics-server" ? "metrics-server" : "prometheus",
    servedBy,
    trigger,
  };
}

// ------------------------------------------------------------------ HorizontalPodAutoscaler

function hpaMetric(resource: string, m: Obj, i: number, config: EnvConfig): SimMetric {
  const field = `spec.metrics[${i}]`;
  const window = durationSeconds(config.monitoring.queryWindow);
  switch (m.type) {
    case "Resource":
    case "ContainerResource": {
      const src = m.type === "Resource" ? m.resource : m.containerResource;
      if (src?.name !== "cpu" && src?.name !== "memory") {
        throw new AutoscalerModelError(resource, field, `resource "${src?.name}" is not simulated`, "scale on cpu or memory");
      }
      return sim(i, m as MetricSpec, { kind: src.name }, "pod", "metrics-server", null);
    }
    case "Pods": {
      const name = m.pods?.metric?.name;
      // prometheus-adapter serves these from the per-pod queries of the monitoring rules (window monitoring.queryWindow)
      if (name === CUSTOM_METRICS.podP95Latency)
        return sim(
          i,
          m as MetricSpec,
          { kind: "latency-quantile", quantile: 0.95, windowSeconds: window },
          "pod",
          "prometheus-adapter",
          null,
        );
      if (name === CUSTOM_METRICS.podInFlight)
        return sim(i, m as MetricSpec, { kind: "gauge", gauge: "in-flight", aggregation: "avg" }, "pod", "prometheus-adapter", null);
      // the burst peak (scaling.burst): each pod's in-flight maximum over the burst window
      if (name === CUSTOM_METRICS.podInFlightBurst) {
        return sim(
          i,
          m as MetricSpec,
          { kind: "gauge-peak", gauge: "in-flight", windowSeconds: burstWindowSeconds(config), aggregation: "avg" },
          "pod",
          "prometheus-adapter",
          null,
        );
      }
      throw new AutoscalerModelError(
        resource,
        `${field}.pods.metric.name`,
        `Pods metric "${name}" is not one prometheus-adapter serves`,
        `use ${CUSTOM_METRICS.podP95Latency} or ${CUSTOM_METRICS.podInFlight}`,
      );
    }
    case "External": {
      const name = m.external?.metric?.name;
      if (name === CUSTOM_METRICS.queueLength)
        return sim(i, m as MetricSpec, { kind: "gauge", gauge: "queue", aggregation: "sum" }, "service", "prometheus-adapter", null);
      throw new AutoscalerModelError(
        resource,
        `${field}.external.metric.name`,
        `External metric "${name}" is not one prometheus-adapter serves`,
        `use ${CUSTOM_METRICS.queueLength}`,
      );
    }
    default:
      throw new AutoscalerModelError(
        resource,
        `${field}.type`,
        `metric type "${m.type}" is not simulated`,
        "use Resource, ContainerResource, Pods or External metrics",
      );
  }
}

function fromHpa(obj: Obj, config: EnvConfig): AutoscalerModel {
  const name = String(obj.metadata?.name);
  const resource = `HorizontalPodAutoscaler ${name}`;
  const spec = obj.spec ?? {};
  const metrics: Obj[] = spec.metrics?.length
    ? spec.metrics
    : [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }];
  if (typeof spec.maxReplicas !== "number") throw new AutoscalerModelError(resource, "spec.maxReplicas", "is missing", "set maxReplicas");
  const simMetrics = metrics.map((m, i) => hpaMetric(resource, m, i, config));
  return {
    kind: "HorizontalPodAutoscaler",
    name,
    hpaName: name,
    hpa: {
      minReplicas: spec.minReplicas ?? 1,
      maxReplicas: spec.maxReplicas,
      metrics: simMetrics.map((m) => m.spec),
      behavior: (spec.behavior ?? null) as HorizontalPodAutoscalerBehavior | null,
    },
    metrics: simMetrics,
    keda: null,
  };
}

// ------------------------------------------------------------------ ScaledObject

/** Go's int64(f * 1000) as a milli quantity: how KEDA turns a threshold into a metric target. */
export function kedaMilliTarget(threshold: number): string {
  return `${Math.trunc(threshold * 1000)}m`;
}

/**
 * The external metric name KEDA's cron scaler gives its trigger (v2.18.3 cron_scaler.go:
 * GenerateMetricNameWithIndex(i, NormalizeString("cron-<tz>-<start>-<end>")), the cron fields with
 * spaces dropped, `*` → `x`, `/` → `Sl`, `?` → `Qm`; NormalizeString maps `/ . : % ( )` to `-`).
 * Case is kept: the real HPA reads e.g. `s4-cron-Europe-Berlin-587xx1-5-019xx1-5`.
 */
export function kedaCronMetricName(index: number, timezone: string, start: string, end: string): string {
  const cron = (c: string) => c.replaceAll(" ", "").replaceAll("*", "x").replaceAll("/", "Sl").replaceAll("?", "Qm");
  return `s${index}-${`cron-${timezone}-${cron(start)}-${cron(end)}`.replace(/[/.:%()]/g, "-")}`;
}

function num(resource: string, field: string, v: unknown, fix: string): number {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw new AutoscalerModelError(resource, field, `${JSON.stringify(v)} is not a number`, fix);
  return n;
}

/** One trigger of a rendered ScaledObject, with what every trigger kind reads of it. */
interface TriggerInput {
  /** `ScaledObject <name>`, for messages. */
  readonly resource: string;
  readonly t: Obj;
  readonly i: number;
  /** `spec.triggers[<i>]`. */
  readonly field: string;
  readonly md: Obj;
  readonly metricType: string;
}

/** A cpu or memory trigger: the Resource (or ContainerResource) metric KEDA puts in its HPA. */
function resourceTriggerMetric({ resource, t, i, field, md, metricType }: TriggerInput): SimMetric {
  const value = md.value;
  const target: MetricTarget =
    metricType === "Utilization"
      ? {
          type: "Utilization",
          averageUtilization: Math.trunc(num(resource, `${field}.metadata.value`, value, "give a whole percentage")),
        }
      : { type: "AverageValue", averageValue: String(value) };
  const ms: MetricSpec = md.containerName
    ? { type: "ContainerResource", containerResource: { name: t.type, container: String(md.containerName), target } }
    : { type: "Resource", resource: { name: t.type, target } };
  return sim(i, ms, { kind: t.type }, "pod", "metrics-server", {
    index: i,
    type: t.type,
    name: t.name,
    activationThreshold: 0,
    useCachedMetrics: false,
    ignoreNullValues: true,
  });
}

/** A cron trigger: an External metric, desiredReplicas inside the window and 0 outside. */
function cronTriggerMetric({ resource, t, i, field, md }: TriggerInput): SimMetric {
  const desired = num(resource, `${field}.metadata.desiredReplicas`, md.desiredReplicas, "give a whole number of replicas");
  const signal: Signal = {
    kind: "cron",
    start: String(md.start ?? ""),
    end: String(md.end ?? ""),
    timezone: String(md.timezone ?? ""),
    desiredReplicas: desired,
  };
  for (const key of ["start", "end"] as const) {
    try {
      parseCron(signal[key]);
    } catch (e) {
      throw new AutoscalerModelError(
        resource,
        `${field}.metadata.${key}`,
        (e as Error).message,
        "write a 5-field cron expression, e.g. 0 8 * * 1-5",
      );
    }
  }
  // KEDA's cron scaler: External, AverageValue target 1, value desiredReplicas inside the window and 0 outside (v2.18.3 cron_scaler.go)
  const name = kedaCronMetricName(i, signal.timezone, signal.start, signal.end);
  const ms: MetricSpec = { type: "External", external: { metric: { name }, target: { type: "AverageValue", averageValue: "1" } } };
  return sim(i, ms, signal, "service", "keda", {
    index: i,
    type: "cron",
    name: t.name,
    activationThreshold: 0,
    useCachedMetrics: false,
    ignoreNullValues: true,
  });
}

/** A prometheus trigger: an External metric whose value the simulator derives from the query. */
function prometheusTriggerMetric({ resource, t, i, field, md, metricType }: TriggerInput, wakeUpMetric?: string): SimMetric {
  if (t.type !== "prometheus") {
    throw new AutoscalerModelError(
      resource,
      `${field}.type`,
      `trigger type "${t.type}" is not simulated (the simulated service has Prometheus metrics, CPU, memory and a clock)`,
      "simulate prometheus, cpu, memory and cron triggers only",
    );
  }
  if (metricType !== "AverageValue" && metricType !== "Value") {
    throw new AutoscalerModelError(
      resource,
      `${field}.metricType`,
      `KEDA rejects metricType "${metricType}" for external metrics`,
      "use AverageValue or Value",
    );
  }
  const query = String(md.query ?? "");
  let signal: Signal;
  try {
    signal = signalOfQuery(query, wakeUpMetric);
  } catch (e) {
    throw new AutoscalerModelError(
      resource,
      `${field}.metadata.query`,
      (e as Error).message.split("\n")[0]!,
      "use a query the simulator models",
    );
  }
  const threshold = num(resource, `${field}.metadata.threshold`, md.threshold, "give the threshold as a number string");
  const activation =
    md.activationThreshold === undefined
      ? 0
      : num(resource, `${field}.metadata.activationThreshold`, md.activationThreshold, "give a number string");
  const target: MetricTarget =
    metricType === "Value"
      ? { type: "Value", value: kedaMilliTarget(threshold) }
      : { type: "AverageValue", averageValue: kedaMilliTarget(threshold) };
  const ms: MetricSpec = { type: "External", external: { metric: { name: `s${i}-prometheus` }, target } };
  return sim(i, ms, signal, "service", "keda", {
    index: i,
    type: "prometheus",
    name: t.name,
    activationThreshold: activation,
    useCachedMetrics: t.useCachedMetrics === true,
    ignoreNullValues: String(md.ignoreNullValues ?? "true").toLowerCase() !== "false",
    ...(answersZeroWithoutTargets(query) ? { zeroWithoutTargets: true } : {}),
  });
}

function fromScaledObject(obj: Obj, wakeUpMetric?: string): AutoscalerModel {
  const name = String(obj.metadata?.name);
  const resource = `ScaledObject ${name}`;
  const spec = obj.spec ?? {};
  const advanced = spec.advanced ?? {};
  if (advanced.scalingModifiers) {
    throw new AutoscalerModelError(
      resource,
      "spec.advanced.scalingModifiers",
      "scalingModifiers formulas are not simulated",
      "remove scalingModifiers to simulate",
    );
  }
  const triggers: Obj[] = spec.triggers ?? [];
  if (triggers.length === 0) throw new AutoscalerModelError(resource, "spec.triggers", "there are no triggers", "add at least one trigger");
  const metrics: SimMetric[] = triggers.map((t, i) => {
    const trigger: TriggerInput = {
      resource,
      t,
      i,
      field: `spec.triggers[${i}]`,
      md: t.metadata ?? {},
      metricType: t.metricType ?? (t.type === "cpu" || t.type === "memory" ? "Utilization" : "AverageValue"),
    };
    if (t.type === "cpu" || t.type === "memory") return resourceTriggerMetric(trigger);
    if (t.type === "cron") return cronTriggerMetric(trigger);
    return prometheusTriggerMetric(trigger, wakeUpMetric);
  });
  const minReplicaCount: number = spec.minReplicaCount ?? 0;
  const maxReplicaCount: number = spec.maxReplicaCount ?? 100;
  const fb = spec.fallback;
  const behavior = (advanced.horizontalPodAutoscalerConfig?.behavior ?? null) as HorizontalPodAutoscalerBehavior | null;
  return {
    kind: "ScaledObject",
    name,
    hpaName: advanced.horizontalPodAutoscalerConfig?.name ?? kedaHpaName(name),
    hpa: {
      minReplicas: minReplicaCount > 0 ? minReplicaCount : 1,
      maxReplicas: maxReplicaCount,
      metrics: metrics.map((m) => m.spec),
      behavior,
    },
    metrics,
    keda: {
      pollingIntervalSeconds: spec.pollingInterval ?? 30,
      cooldownPeriodSeconds: spec.cooldownPeriod ?? 300,
      initialCooldownPeriodSeconds: spec.initialCooldownPeriod ?? 0,
      minReplicaCount,
      maxReplicaCount,
      idleReplicaCount: spec.idleReplicaCount,
      fallback:
        fb && fb.failureThreshold >= 0 && fb.replicas >= 0
          ? { failureThreshold: fb.failureThreshold, replicas: fb.replicas, behavior: (fb.behavior ?? "static") as FallbackBehavior }
          : null,
    },
  };
}

/**
 * Translates a rendered autoscaler object. `config` supplies what the object does not carry: the
 * window of the prometheus-adapter queries behind Pods metrics (monitoring.queryWindow).
 */
export function autoscalerModel(obj: Record<string, unknown>, config: EnvConfig): AutoscalerModel {
  const o = obj as Obj;
  if (o.kind === "HorizontalPodAutoscaler" && o.apiVersion === "autoscaling/v2") return fromHpa(o, config);
  if (o.kind === "ScaledObject" && String(o.apiVersion).startsWith("keda.sh/"))
    return fromScaledObject(o, config.scaling.wakeUp?.metric.name);
  throw new AutoscalerModelError(
    `${o.kind} ${o.metadata?.name}`,
    "kind",
    `${o.apiVersion}/${o.kind} is not an autoscaler the simulator runs`,
    "render an autoscaling/v2 HorizontalPodAutoscaler or a keda.sh ScaledObject",
  );
}
