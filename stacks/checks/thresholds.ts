/**
 * Check 9 (a latency threshold must be a histogram bucket boundary: between boundaries
 * histogram_quantile only interpolates, and an `le` matcher selects no series at all) and check 10
 * (scaling must start before the alert for the same signal fires, or the service pages first).
 *
 * Both run on the env config before anything renders (the thresholds it declares) and on the
 * rendered objects (KEDA triggers, HPA targets through the adapter rule that serves them, `le`
 * matchers and alert conditions), so a hand-edited or future construct is held to the same rule.
 */
import type { MetricContract, MetricSpec } from "../../constructs/metrics.js";
import { formatNumber } from "../../constructs/metrics.js";
import { parseQuantity } from "../../constructs/quantity.js";
import type { CheckContext, QuerySite } from "./context.js";
import { adapterMetricName, literalComparisons, parses, safeSelectors, signalOf, type Signal } from "./promql.js";
import type { PathSegment } from "./types.js";
import { asArray, isObject, resourceOf, sameNumber, str, toNumber } from "./util.js";

/**
 * The request-latency histogram the SLO, the latency alert and the latency scaling read:
 * `http_request_duration_seconds` when the contract has it, else the first histogram with an
 * `endpoint` label, else the first histogram.
 */
export function requestLatencyHistogram(contract: MetricContract): MetricSpec | undefined {
  const hs = contract.metrics.filter((m) => m.type === "histogram" && m.buckets?.length);
  return hs.find((m) => m.name === "http_request_duration_seconds") ?? hs.find((m) => m.labels.includes("endpoint")) ?? hs[0];
}

function isBucket(buckets: readonly number[], v: number): boolean {
  return buckets.some((b) => sameNumber(b, v));
}

function nearest(buckets: readonly number[], v: number): string {
  const below = [...buckets].reverse().find((b) => b < v);
  const above = buckets.find((b) => b > v);
  return [below, above].filter((b): b is number => b !== undefined).map(formatNumber).join(" or ");
}

function notBucket(what: string, v: number, h: MetricSpec): string {
  const why = what.startsWith("le=")
    ? "the matcher selects no series, so the ratio built on it is empty"
    : "the histogram cannot tell whether requests were faster or slower than it (histogram_quantile only interpolates between boundaries, and an SLI counting requests under it has no bucket to count)";
  return `${what} ${what.startsWith("le=") ? "" : `${formatNumber(v)} `}is not a bucket boundary of ${h.name} (buckets: ${h.buckets!.map(formatNumber).join(", ")}): ${why}`;
}

/** Config phase: LATENCY_THRESHOLD_NOT_BUCKET and SCALES_AFTER_ALERT on the thresholds the env declares. */
export function checkConfigThresholds(ctx: CheckContext): void {
  const { config } = ctx;
  const h = requestLatencyHistogram(ctx.contract);
  const alertP95 = config.monitoring.alerts.p95LatencySeconds;
  const latency: [PathSegment[], number, string][] = [
    [["slo", "latency", "thresholdSeconds"], config.slo.latency.thresholdSeconds, "the SLO latency threshold"],
    [["monitoring", "alerts", "p95LatencySeconds"], alertP95, "the HighLatency alert threshold"],
  ];
  if (config.scaling.mode === "keda") latency.push([["scaling", "keda", "p95Latency", "threshold"], config.scaling.keda.p95Latency.threshold, "the KEDA latency trigger threshold"]);
  if (config.scaling.mode === "slo-hpa") latency.push([["scaling", "sloHpa", "p95LatencySeconds"], config.scaling.sloHpa.p95LatencySeconds, "the slo-hpa latency target"]);
  if (h) {
    for (const [path, v, what] of latency) {
      if (!isBucket(h.buckets!, v)) {
        ctx.sink.error("LATENCY_THRESHOLD_NOT_BUCKET", ctx.configResource, path, notBucket(what, v, h), `use a boundary (${nearest(h.buckets!, v)}), or add ${formatNumber(v)} to the buckets the service exports`);
      }
    }
  }
  const scaling: [PathSegment[], number, string, number, string][] = [];
  if (config.scaling.mode === "keda") {
    scaling.push([["scaling", "keda", "p95Latency", "threshold"], config.scaling.keda.p95Latency.threshold, "KEDA's p95 latency threshold", alertP95, "monitoring.alerts.p95LatencySeconds"]);
    scaling.push([["scaling", "keda", "queueLength", "threshold"], config.scaling.keda.queueLength.threshold, "KEDA's queue length threshold", config.monitoring.alerts.queueBacklog, "monitoring.alerts.queueBacklog"]);
  }
  if (config.scaling.mode === "slo-hpa") {
    scaling.push([["scaling", "sloHpa", "p95LatencySeconds"], config.scaling.sloHpa.p95LatencySeconds, "the slo-hpa p95 latency target", alertP95, "monitoring.alerts.p95LatencySeconds"]);
  }
  for (const [path, v, what, alert, alertField] of scaling) {
    if (v > alert) {
      ctx.sink.error(
        "SCALES_AFTER_ALERT",
        ctx.configResource,
        path,
        `${what} ${formatNumber(v)} is above the alert threshold ${formatNumber(alert)} (${alertField}): the service pages before it scales`,
        `scale below the alert: lower the threshold under ${formatNumber(alert)} or raise ${alertField}`,
      );
    }
  }
}

/** A rendered place where a threshold drives scaling. */
interface ScalingSite {
  readonly resource: string;
  readonly path: readonly PathSegment[];
  readonly what: string;
  readonly value: number;
  readonly signal: Signal;
}

function scalingSites(ctx: CheckContext): ScalingSite[] {
  const out: ScalingSite[] = [];
  const recordings = ctx.recordings();
  for (const so of ctx.ofKind("ScaledObject", "keda.sh")) {
    asArray(so.spec?.triggers).forEach((t, i) => {
      const q = str(t?.metadata?.query);
      const v = toNumber(t?.metadata?.threshold);
      if (t?.type !== "prometheus" || q === undefined || v === undefined || !parses(q)) return;
      out.push({ resource: resourceOf(so), path: ["spec", "triggers", i, "metadata", "threshold"], what: `trigger ${t.name ?? i} threshold`, value: v, signal: signalOf(q, ctx.contract, recordings) });
    });
  }
  // An HPA's custom/external metric: the signal is what the adapter rule serving it computes.
  const servedBy = new Map<string, QuerySite>();
  for (const q of ctx.queries()) {
    if (q.origin !== "adapter-metrics") continue;
    const name = adapterMetricName(q.owner);
    if (name && !servedBy.has(name)) servedBy.set(name, q);
  }
  for (const hpa of ctx.ofKind("HorizontalPodAutoscaler", "autoscaling")) {
    asArray(hpa.spec?.metrics).forEach((m, i) => {
      const field = m?.type === "Pods" ? "pods" : m?.type === "Object" ? "object" : m?.type === "External" ? "external" : undefined;
      const name = field ? str(m[field]?.metric?.name) : undefined;
      const site = name ? servedBy.get(name) : undefined;
      const target = field ? m[field]?.target : undefined;
      if (!site || !isObject(target)) return;
      const key = target.averageValue !== undefined ? "averageValue" : "value";
      let v: number | undefined;
      try {
        v = target[key] === undefined ? undefined : parseQuantity(target[key]);
      } catch {
        v = undefined;
      }
      if (v === undefined) return;
      out.push({ resource: resourceOf(hpa), path: ["spec", "metrics", i, field!, "target", key], what: `${name} target`, value: v, signal: signalOf(site.expr, ctx.contract, ctx.recordings()) });
    });
  }
  return out;
}

/** An alert condition `<signal> > N` (or >=) in a rendered alert rule. */
interface AlertSite {
  readonly source: string;
  readonly value: number;
  readonly signal: Signal;
}

function alertSites(ctx: CheckContext): AlertSite[] {
  const out: AlertSite[] = [];
  for (const q of ctx.queries()) {
    if (q.origin !== "alert" || !parses(q.expr)) continue;
    for (const c of literalComparisons(q.expr)) {
      if (c.op !== ">" && c.op !== ">=") continue;
      const signal = signalOf(c.vector, ctx.contract, ctx.recordings());
      if (signal.kind !== "other") out.push({ source: `alert ${q.owner.alert} in ${q.resource}`, value: c.value, signal });
    }
  }
  return out;
}

/** Rendered phase: LATENCY_THRESHOLD_NOT_BUCKET. */
export function checkRenderedBuckets(ctx: CheckContext): void {
  const byName = new Map(ctx.contract.metrics.map((m) => [m.name, m]));
  const histogram = (name: string) => {
    const h = byName.get(name);
    return h?.type === "histogram" && h.buckets?.length ? h : undefined;
  };
  for (const s of scalingSites(ctx)) {
    if (s.signal.kind !== "latency") continue;
    const h = histogram(s.signal.histogram);
    if (h && !isBucket(h.buckets!, s.value)) {
      ctx.sink.error("LATENCY_THRESHOLD_NOT_BUCKET", s.resource, s.path, notBucket(s.what, s.value, h), `use a boundary (${nearest(h.buckets!, s.value)})`);
    }
  }
  for (const q of ctx.queries()) {
    for (const sel of safeSelectors(q.expr)) {
      const h = sel.metric?.endsWith("_bucket") ? histogram(sel.metric.slice(0, -"_bucket".length)) : undefined;
      if (!h) continue;
      for (const m of sel.matchers) {
        if (m.name !== "le" || m.op !== "=" || m.value === "+Inf") continue;
        const v = Number(m.value);
        if (!Number.isFinite(v) || !isBucket(h.buckets!, v)) {
          ctx.sink.error("LATENCY_THRESHOLD_NOT_BUCKET", q.resource, q.path, notBucket(`le="${m.value}"`, v, h), `match an existing boundary (${Number.isFinite(v) ? nearest(h.buckets!, v) : h.buckets!.map(formatNumber).join(", ")})`);
        }
      }
    }
    if (q.origin !== "alert" || !parses(q.expr)) continue;
    for (const c of literalComparisons(q.expr)) {
      if (![">", ">=", "<", "<="].includes(c.op)) continue;
      const signal = signalOf(c.vector, ctx.contract, ctx.recordings());
      const h = signal.kind === "latency" ? histogram(signal.histogram) : undefined;
      if (h && !isBucket(h.buckets!, c.value)) {
        ctx.sink.error("LATENCY_THRESHOLD_NOT_BUCKET", q.resource, q.path, notBucket(`alert ${q.owner.alert} threshold`, c.value, h), `use a boundary (${nearest(h.buckets!, c.value)})`);
      }
    }
  }
}

function sameSignal(scale: Signal, alert: Signal): boolean {
  if (scale.kind === "latency" && alert.kind === "latency") {
    // p95 above a threshold implies p99 above it: an alert on a higher quantile fires no later.
    return scale.histogram === alert.histogram && (scale.quantile === undefined || alert.quantile === undefined || alert.quantile >= scale.quantile);
  }
  return scale.kind === "queue" && alert.kind === "queue" && scale.metric === alert.metric;
}

/** Rendered phase: SCALES_AFTER_ALERT. */
export function checkRenderedScaleBeforeAlert(ctx: CheckContext): void {
  const h = requestLatencyHistogram(ctx.contract);
  const a = ctx.config.monitoring.alerts;
  const declared: AlertSite[] = [
    ...(h ? [{ source: "monitoring.alerts.p95LatencySeconds", value: a.p95LatencySeconds, signal: { kind: "latency", histogram: h.name, quantile: 0.95 } as Signal }] : []),
    ...ctx.contract.metrics
      .filter((m) => m.type === "gauge" && /queue/i.test(m.name))
      .map((m) => ({ source: "monitoring.alerts.queueBacklog", value: a.queueBacklog, signal: { kind: "queue", metric: m.name } as Signal })),
  ];
  const alerts = [...declared, ...alertSites(ctx)];
  for (const s of scalingSites(ctx)) {
    if (s.signal.kind === "other") continue;
    const lowest = alerts.filter((x) => sameSignal(s.signal, x.signal)).sort((x, y) => x.value - y.value)[0];
    if (lowest && s.value > lowest.value) {
      ctx.sink.error(
        "SCALES_AFTER_ALERT",
        s.resource,
        s.path,
        `${s.what} ${formatNumber(s.value)} is above the alert threshold ${formatNumber(lowest.value)} (${lowest.source}) for the same signal: the service pages before it scales`,
        `scale below the alert: lower the threshold under ${formatNumber(lowest.value)} or raise the alert threshold`,
      );
    }
  }
}
