/**
 * LATENCY_THRESHOLD_NOT_BUCKET (a latency threshold must be a histogram bucket boundary: between
 * boundaries histogram_quantile only interpolates, and an `le` matcher selects no series at all) and
 * SCALES_AFTER_ALERT / LATENCY_TARGET_UNREACHABLE (scaling must start before the alert for the same
 * signal fires, or the service pages first).
 *
 * Both run on the env config before anything renders (the thresholds it declares) and on the
 * rendered objects (KEDA triggers, HPA targets through the adapter rule that serves them, `le`
 * matchers and alert conditions), so a hand-edited or future construct is held to the same rule.
 *
 * SCALES_AFTER_ALERT's refinement for per-pod queue targets (QUEUE_ALERT_BEFORE_SCALE, a warning) runs on
 * the rendered objects only: it needs the trigger's metric type and the autoscaler's minimum as
 * rendered, and a config-phase twin would print every warning twice (synth keeps both phases'
 * warnings).
 */
import type { MetricContract, MetricSpec } from "../../promql/metrics.js";
import { formatNumber } from "../../promql/metrics.js";
import { resultGrouping } from "../../promql/parse.js";
import { SERVICE_METRIC } from "../../rules/recording-rules.js";
import { parseQuantity } from "../../kube/quantity.js";
import { serviceTimeQuantile, simulatedServiceTime } from "../service-time.js";
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

/**
 * The boundaries either side of `v`, in seconds (the unit of every latency threshold and `le`), e.g.
 * "0.25 s or 0.5 s"; a value above the largest boundary that reads like milliseconds says so, with
 * the boundaries near its value in seconds (500 → "0.5 s; 500 reads like milliseconds: …").
 */
function nearest(buckets: readonly number[], v: number): string {
  const around = (x: number) => {
    const below = [...buckets].reverse().find((b) => b < x || sameNumber(b, x));
    const above = buckets.find((b) => b > x && !sameNumber(b, x));
    return [...new Set([below, above].filter((b): b is number => b !== undefined))].map((b) => `${formatNumber(b)} s`).join(" or ");
  };
  const largest = buckets[buckets.length - 1];
  if (largest !== undefined && v > largest && v / 1000 <= largest) {
    const ms = v / 1000;
    const exact = isBucket(buckets, ms);
    return `${exact ? `${formatNumber(ms)} s` : around(ms)}; ${formatNumber(v)} reads like milliseconds, but the value is in seconds: ${formatNumber(v)} ms is ${formatNumber(ms)}`;
  }
  return around(v);
}

function notBucket(what: string, v: number, h: MetricSpec): string {
  const why = what.startsWith("le=")
    ? "the matcher selects no series, so the ratio built on it is empty"
    : "the histogram cannot tell whether requests were faster or slower than it (histogram_quantile only interpolates between boundaries, and an SLI counting requests under it has no bucket to count)";
  return `${what} ${what.startsWith("le=") ? "" : `${formatNumber(v)} `}is not a bucket boundary of ${h.name} (buckets: ${h.buckets!.map(formatNumber).join(", ")}): ${why}`;
}

/**
 * Config phase: LATENCY_TARGET_UNREACHABLE. A p95 target no load can reach: an idle pod's p95 is
 * the service time's own p95 (stacks/service-time.ts, the pod the simulator runs: simulation.serviceTimeSeconds with CV
 * serviceTimeCv, stretched when the CPU limit bounds the pod), so with a target at or below it the
 * slo-hpa/KEDA latency metric stays above target whatever the replica count (the HPA walks to
 * maxReplicas under no load) and the HighLatency alert fires on an idle service.
 */
export function checkConfigLatencyReachable(ctx: CheckContext): void {
  const { config } = ctx;
  const pod = simulatedServiceTime(config);
  const cv = config.simulation.serviceTimeCv;
  const idleP95 = serviceTimeQuantile(pod.serviceTimeSeconds, cv, 0.95);
  const targets: [PathSegment[], number, string][] = [
    [["monitoring", "alerts", "p95LatencySeconds"], config.monitoring.alerts.p95LatencySeconds, "the HighLatency alert threshold"],
  ];
  if (config.scaling.mode === "keda")
    targets.push([
      ["scaling", "keda", "p95Latency", "threshold"],
      config.scaling.keda.p95Latency.threshold,
      "KEDA's p95 latency threshold",
    ]);
  if (config.scaling.mode === "slo-hpa")
    targets.push([
      ["scaling", "sloHpa", "p95LatencySeconds"],
      config.scaling.sloHpa.p95LatencySeconds,
      "the slo-hpa per-pod p95 latency target",
    ]);
  const round = (v: number) => formatNumber(Number(v.toPrecision(3)));
  for (const [path, v, what] of targets) {
    if (v > idleP95) continue;
    ctx.sink.error(
      "LATENCY_TARGET_UNREACHABLE",
      ctx.configResource,
      path,
      `${what} ${formatNumber(v)} s is at or below the p95 an idle pod already has, ${round(idleP95)} s (service time ${round(pod.serviceTimeSeconds)} s at CV ${formatNumber(cv)}, simulation.*): no replica count brings the p95 under it, so ${path[0] === "monitoring" ? "the alert fires on an idle service" : "the autoscaler climbs to maxReplicas under no load"}`,
      `raise it above ${round(idleP95)} s (a bucket boundary), or correct simulation.serviceTimeSeconds / serviceTimeCv if the model is faster than that`,
    );
  }
}

/**
 * Config phase: the p95 alert threshold is below the largest boundary of the latency histogram the
 * alert reads (SERVICE_METRIC.latency): histogram_quantile never returns more than that boundary,
 * so an alert at it could never fire.
 */
export function checkConfigAlertBelowLargestBucket(ctx: CheckContext): void {
  const { config } = ctx;
  const buckets = config.service.metrics.metrics.find((m) => m.name === SERVICE_METRIC.latency)?.buckets ?? [];
  if (!buckets.length) return;
  const largest = Math.max(...buckets);
  const p95 = config.monitoring.alerts.p95LatencySeconds;
  // A threshold that is no boundary at all is LATENCY_THRESHOLD_NOT_BUCKET's to report (one line per field).
  if (p95 >= largest && isBucket(buckets, p95)) {
    ctx.sink.error(
      "CONFIG_CONFLICT",
      ctx.configResource,
      "monitoring.alerts.p95LatencySeconds",
      `${formatNumber(p95)}s is not below the largest latency bucket (${formatNumber(largest)}s): histogram_quantile never returns more than that, so the alert could never fire`,
      `use a threshold below ${formatNumber(largest)} or add larger buckets`,
    );
  }
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
  if (config.scaling.mode === "keda")
    latency.push([
      ["scaling", "keda", "p95Latency", "threshold"],
      config.scaling.keda.p95Latency.threshold,
      "the KEDA latency trigger threshold",
    ]);
  if (config.scaling.mode === "slo-hpa")
    latency.push([["scaling", "sloHpa", "p95LatencySeconds"], config.scaling.sloHpa.p95LatencySeconds, "the slo-hpa latency target"]);
  if (h) {
    for (const [path, v, what] of latency) {
      if (!isBucket(h.buckets!, v)) {
        ctx.sink.error(
          "LATENCY_THRESHOLD_NOT_BUCKET",
          ctx.configResource,
          path,
          notBucket(what, v, h),
          `use a boundary (${nearest(h.buckets!, v)}), or add ${formatNumber(v)} to the buckets the service exports`,
        );
      }
    }
  }
  const scaling: [PathSegment[], number, string, number, string][] = [];
  if (config.scaling.mode === "keda") {
    scaling.push([
      ["scaling", "keda", "p95Latency", "threshold"],
      config.scaling.keda.p95Latency.threshold,
      "KEDA's p95 latency threshold",
      alertP95,
      "monitoring.alerts.p95LatencySeconds",
    ]);
    scaling.push([
      ["scaling", "keda", "queueLength", "threshold"],
      config.scaling.keda.queueLength.threshold,
      "KEDA's queue length threshold",
      config.monitoring.alerts.queueBacklog,
      "monitoring.alerts.queueBacklog",
    ]);
  }
  if (config.scaling.mode === "slo-hpa") {
    scaling.push([
      ["scaling", "sloHpa", "p95LatencySeconds"],
      config.scaling.sloHpa.p95LatencySeconds,
      "the slo-hpa p95 latency target",
      alertP95,
      "monitoring.alerts.p95LatencySeconds",
    ]);
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
  /** Who acts on the threshold, for messages ("KEDA", "the HPA"). */
  readonly autoscaler: string;
  /**
   * The threshold is a per-pod average (KEDA AverageValue, HPA averageValue): the autoscaler
   * divides the metric by the current replica count before comparing.
   */
  readonly perPod: boolean;
  /** The autoscaler's replica floor (KEDA minReplicaCount, default 0; HPA minReplicas, default 1). */
  readonly minReplicas: number;
}

function scalingSites(ctx: CheckContext): ScalingSite[] {
  const out: ScalingSite[] = [];
  const recordings = ctx.recordings();
  for (const so of ctx.ofKind("ScaledObject", "keda.sh")) {
    asArray(so.spec?.triggers).forEach((t, i) => {
      const q = str(t?.metadata?.query);
      const v = toNumber(t?.metadata?.threshold);
      if (t?.type !== "prometheus" || q === undefined || v === undefined || !parses(q)) return;
      out.push({
        resource: resourceOf(so),
        path: ["spec", "triggers", i, "metadata", "threshold"],
        what: `trigger ${t.name ?? i} threshold`,
        value: v,
        signal: signalOf(q, ctx.contract, recordings),
        autoscaler: "KEDA",
        // KEDA's default metric type for external scalers is AverageValue.
        perPod: (t.metricType ?? "AverageValue") === "AverageValue",
        minReplicas: toNumber(so.spec?.minReplicaCount) ?? 0,
      });
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
      out.push({
        resource: resourceOf(hpa),
        path: ["spec", "metrics", i, field!, "target", key],
        what: `${name} target`,
        value: v,
        signal: signalOf(site.expr, ctx.contract, ctx.recordings()),
        autoscaler: "the HPA",
        perPod: key === "averageValue",
        minReplicas: toNumber(hpa.spec?.minReplicas) ?? 1,
      });
    });
  }
  return out;
}

/** An alert condition `<signal> > N` (or >=) in a rendered alert rule. */
interface AlertSite {
  readonly source: string;
  readonly value: number;
  readonly signal: Signal;
  /** The condition reads the service's total (summed over its pods), not one pod's value. */
  readonly total: boolean;
}

function alertSites(ctx: CheckContext): AlertSite[] {
  const out: AlertSite[] = [];
  for (const q of ctx.queries()) {
    if (q.origin !== "alert" || !parses(q.expr)) continue;
    for (const c of literalComparisons(q.expr)) {
      if (c.op !== ">" && c.op !== ">=") continue;
      const signal = signalOf(c.vector, ctx.contract, ctx.recordings());
      if (signal.kind !== "other")
        out.push({
          source: `alert ${q.owner.alert} in ${q.resource}`,
          value: c.value,
          signal,
          total: sumsOverPods(c.vector, ctx.recordings()),
        });
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
      ctx.sink.error(
        "LATENCY_THRESHOLD_NOT_BUCKET",
        s.resource,
        s.path,
        notBucket(s.what, s.value, h),
        `use a boundary (${nearest(h.buckets!, s.value)})`,
      );
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
          ctx.sink.error(
            "LATENCY_THRESHOLD_NOT_BUCKET",
            q.resource,
            q.path,
            notBucket(`le="${m.value}"`, v, h),
            `match an existing boundary (${Number.isFinite(v) ? nearest(h.buckets!, v) : h.buckets!.map(formatNumber).join(", ")})`,
          );
        }
      }
    }
    if (q.origin !== "alert" || !parses(q.expr)) continue;
    for (const c of literalComparisons(q.expr)) {
      if (![">", ">=", "<", "<="].includes(c.op)) continue;
      const signal = signalOf(c.vector, ctx.contract, ctx.recordings());
      const h = signal.kind === "latency" ? histogram(signal.histogram) : undefined;
      if (h && !isBucket(h.buckets!, c.value)) {
        ctx.sink.error(
          "LATENCY_THRESHOLD_NOT_BUCKET",
          q.resource,
          q.path,
          notBucket(`alert ${q.owner.alert} threshold`, c.value, h),
          `use a boundary (${nearest(h.buckets!, c.value)})`,
        );
      }
    }
  }
}

function sameSignal(scale: Signal, alert: Signal): boolean {
  if (scale.kind === "latency" && alert.kind === "latency") {
    // p95 above a threshold implies p99 above it: an alert on a higher quantile fires no later.
    return (
      scale.histogram === alert.histogram &&
      (scale.quantile === undefined || alert.quantile === undefined || alert.quantile >= scale.quantile)
    );
  }
  return scale.kind === "queue" && alert.kind === "queue" && scale.metric === alert.metric;
}

/** Rendered phase: SCALES_AFTER_ALERT. */
export function checkRenderedScaleBeforeAlert(ctx: CheckContext): void {
  const h = requestLatencyHistogram(ctx.contract);
  const a = ctx.config.monitoring.alerts;
  const declared: AlertSite[] = [
    ...(h
      ? [
          {
            source: "monitoring.alerts.p95LatencySeconds",
            value: a.p95LatencySeconds,
            signal: { kind: "latency", histogram: h.name, quantile: 0.95 } as Signal,
            total: true,
          },
        ]
      : []),
    // The QueueBacklog alert compares the service's total queue (summed over its pods).
    ...ctx.contract.metrics
      .filter((m) => m.type === "gauge" && /queue/i.test(m.name))
      .map((m) => ({
        source: "monitoring.alerts.queueBacklog",
        value: a.queueBacklog,
        signal: { kind: "queue", metric: m.name } satisfies Signal,
        total: true,
      })),
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
      continue;
    }
    queueAlertBeforeScale(ctx, s, alerts);
  }
}

/** Labels that identify one pod's series: a result still grouped by one of them is per pod. */
const POD_LABELS = new Set(["pod", "instance", "pod_name", "kubernetes_pod_name"]);

/**
 * Whether an alert's vector is a sum over the service's pods: aggregated without keeping a pod
 * label, directly or in the recording rule it reads.
 */
function sumsOverPods(vector: string, recordings: ReadonlyMap<string, string>, depth = 0): boolean {
  if (!parses(vector)) return false;
  const grouping = resultGrouping(vector);
  if (grouping !== undefined) return !grouping.some((l) => POD_LABELS.has(l));
  const recorded = safeSelectors(vector).filter((sel) => sel.metric && recordings.has(sel.metric));
  return depth < 5 && recorded.length === 1 && sumsOverPods(recordings.get(recorded[0]!.metric!)!, recordings, depth + 1);
}

/**
 * QUEUE_ALERT_BEFORE_SCALE (a warning beside SCALES_AFTER_ALERT): a per-pod queue target (KEDA AverageValue, HPA
 * averageValue) is compared with the total queue divided by the replicas, so at the replica floor
 * the autoscaler adds pods only once the total exceeds threshold × minReplicas. An alert on the
 * total queue below that fires while the autoscaler still sees nothing to do. (The HPA's 10%
 * tolerance delays the scale-up a little further; like SCALES_AFTER_ALERT, equality passes.)
 * Only reachable at two or more replicas: at one, the threshold itself is above the alert, which
 * is SCALES_AFTER_ALERT's error.
 */
function queueAlertBeforeScale(ctx: CheckContext, s: ScalingSite, alerts: readonly AlertSite[]): void {
  if (s.signal.kind !== "queue" || !s.perPod) return;
  const scalesAbove = s.value * s.minReplicas;
  const lowest = alerts.filter((x) => x.total && sameSignal(s.signal, x.signal)).sort((x, y) => x.value - y.value)[0];
  if (!lowest || !(scalesAbove > lowest.value)) return;
  const declared = lowest.source === "monitoring.alerts.queueBacklog";
  const alertName = declared ? "QueueBacklog (monitoring.alerts.queueBacklog)" : lowest.source;
  ctx.sink.warning(
    "QUEUE_ALERT_BEFORE_SCALE",
    s.resource,
    s.path,
    `${s.what} ${formatNumber(s.value)} is per pod (the total queue divided by the replicas): at minReplicas ${s.minReplicas} ${s.autoscaler} scales up only above ${formatNumber(scalesAbove)} queued requests; ${alertName} pages at ${formatNumber(lowest.value)} on the total queue, before the autoscaler reacts`,
    `raise the queue alert to at least ${formatNumber(scalesAbove)}${declared ? " (monitoring.alerts.queueBacklog)" : ""}, with headroom for the HPA's 10% tolerance, or lower the per-pod threshold to at most ${formatNumber(Math.floor((lowest.value / s.minReplicas) * 100) / 100)}${s.autoscaler === "KEDA" ? " (scaling.keda.queueLength.threshold, activation below it)" : ""}`,
  );
}
